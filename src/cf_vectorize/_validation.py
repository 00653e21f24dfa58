"""Input checks, run before anything is sent; limits are Cloudflare's."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from ._errors import InvalidInputError, InvalidInputTypeError
from ._limits import INDEX_NAME_PATTERN, MAX_ACCOUNT_ID_LENGTH, MAX_ID_BYTES, MAX_INDEX_NAME_BYTES


def _utf8_size(value: str, what: str) -> int:
    """Return the UTF-8 size of value; a lone surrogate cannot be sent and is refused."""
    try:
        return len(value.encode())
    except UnicodeEncodeError:
        raise InvalidInputError(f"{what} is not valid Unicode text (lone surrogate)") from None


def check_account_id(account_id: object) -> str:
    """Return account_id if it is a non-empty string of at most 32 characters."""
    if not isinstance(account_id, str):
        raise InvalidInputTypeError(f"account_id must be a str, not {type(account_id).__name__}")
    if not account_id:
        raise InvalidInputError("account_id is empty")
    if account_id in (".", ".."):
        # URLs drop dot segments: the request, credential included, would go to another path.
        raise InvalidInputError(f"account_id {account_id!r} is not an account id (a dot segment)")
    if len(account_id) > MAX_ACCOUNT_ID_LENGTH:
        raise InvalidInputError(
            f"account_id has {len(account_id)} characters; at most {MAX_ACCOUNT_ID_LENGTH}"
        )
    _utf8_size(account_id, "account_id")
    return account_id


def check_index_name(index_name: object) -> str:
    """Return index_name if it matches Cloudflare's pattern and has at most 64 bytes."""
    if not isinstance(index_name, str):
        raise InvalidInputTypeError(f"index_name must be a str, not {type(index_name).__name__}")
    size = _utf8_size(index_name, "index_name")
    if size > MAX_INDEX_NAME_BYTES:
        raise InvalidInputError(f"index_name has {size} bytes; at most {MAX_INDEX_NAME_BYTES}")
    if not INDEX_NAME_PATTERN.fullmatch(index_name):
        raise InvalidInputError(
            f"index_name {index_name!r} does not match {INDEX_NAME_PATTERN.pattern!r}: "
            "lowercase letters, digits, '-' and '_', starting with a letter, "
            "ending with a letter or digit, at least 2 characters"
        )
    return index_name


def _id_iterator(ids: Iterable[str]) -> Iterator[str]:
    if isinstance(ids, str | bytes | bytearray):
        raise InvalidInputTypeError(
            "ids must be an iterable of str such as a list, not a single "
            f"{type(ids).__name__} (it would be split into characters)"
        )
    try:
        return iter(ids)
    except TypeError:
        raise InvalidInputTypeError(
            f"ids must be an iterable of str, not {type(ids).__name__}"
        ) from None


def check_id(vector_id: object, position: int) -> str:
    """Return vector_id if it is a non-empty str of at most 64 bytes; position is for messages."""
    if not isinstance(vector_id, str):
        raise InvalidInputTypeError(
            f"ids[{position}] must be a str, not {type(vector_id).__name__}"
        )
    if not vector_id:
        raise InvalidInputError(f"ids[{position}] is empty")
    size = _utf8_size(vector_id, f"ids[{position}]")
    if size > MAX_ID_BYTES:
        raise InvalidInputError(
            f"ids[{position}] has {size} bytes in UTF-8; at most {MAX_ID_BYTES}"
        )
    return vector_id


class Drawn:
    """How far a fetch has drawn the caller's ids.

    `count`: the items taken (duplicates included); `ended`: whether their end was reached.
    """

    __slots__ = ("count", "ended")

    def __init__(self) -> None:
        self.count = 0
        self.ended = False

    def __repr__(self) -> str:
        return f"Drawn(count={self.count}, ended={self.ended})"


def iter_unique_ids(
    ids: Iterable[str], *, deduplicate: bool = True, drawn: Drawn | None = None
) -> Iterator[str]:
    """Check ids as they are drawn and yield each once, in first-seen order.

    A collection (anything with a length: list, tuple, set, dict keys …) is checked whole
    here, before anything is drawn, so a bad id is refused before any request; any other
    iterable (a generator, a file) is checked lazily, an id as it is reached. To drop
    duplicates the ids seen are kept in a set, about 100 bytes an id: the one cost that
    grows with the number of ids. With `deduplicate=False` nothing is kept. `drawn`, when
    given, counts the items taken from `ids` (a bad one is not counted) and notes their end.
    """
    iterator = _id_iterator(ids)
    checked = isinstance(ids, Collection)
    if checked:
        for position, vector_id in enumerate(ids):
            check_id(vector_id, position)
    return _checked(iterator, checked=checked, deduplicate=deduplicate, drawn=drawn or Drawn())


def _checked(
    iterator: Iterator[str], *, checked: bool, deduplicate: bool, drawn: Drawn
) -> Iterator[str]:
    seen: set[str] = set()
    for position, vector_id in enumerate(iterator):
        if not checked:
            check_id(vector_id, position)
        drawn.count = position + 1
        if not deduplicate:
            yield vector_id
        elif vector_id not in seen:
            seen.add(vector_id)
            yield vector_id
    drawn.ended = True


def unique_id_keys(ids: Iterable[str]) -> dict[str, None]:
    """Check every id and return them without duplicates, in first-seen order, as dict keys.

    One dict, not a dict and a list: the cheapest exact record of a large set of ids.
    """
    seen: dict[str, None] = {}
    for position, vector_id in enumerate(_id_iterator(ids)):
        # The usual id, short ASCII, passes at once (one byte a character, no surrogate).
        if type(vector_id) is str and vector_id.isascii() and 0 < len(vector_id) <= MAX_ID_BYTES:
            seen[vector_id] = None
        else:
            seen[check_id(vector_id, position)] = None
    return seen


def count_checked_ids(ids: Iterable[str]) -> int:
    """Check every id and return how many there are, duplicates included; none is kept."""
    count = 0
    for count, vector_id in enumerate(_id_iterator(ids), 1):
        if not (
            type(vector_id) is str and vector_id.isascii() and 0 < len(vector_id) <= MAX_ID_BYTES
        ):
            check_id(vector_id, count - 1)
    return count
