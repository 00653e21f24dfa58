"""Listing every id of an index: pages, the end of a listing, and restarts without repeats.

The decisions of `list_ids` live here, free of I/O, for the sync and async clients alike
(as httpx keeps its auth flow apart from its drivers): `page_from` turns an answer into a
`Page` or a typed error, and a `Listing` says which cursor to send next, which ids of a page
to yield, and what to do when a request fails. `iterate` and `aiterate` are the two thin
drivers; the clients give them a function that fetches one page with retries and pacing.

What Cloudflare documents, and what follows from it:

- A listing ends when `isTruncated` is false or `nextCursor` is null or empty (wrangler's
  rule). A page that says it is truncated but gives no cursor ends it too, with a warning.
- Cursors expire; an expired one means a new listing without a cursor, which takes a new
  snapshot and starts again from the first id. No error code is documented for an expired
  or refused cursor, so a cursor is taken as refused when a request that carried one is
  answered 400, 404, 410 or 422 without code 3000 (index not found: a real error). A
  first page never carries a cursor, so a listing that cannot start still fails at once.
- The order of the ids is not documented. To restart without yielding an id twice in
  bounded memory, a listing watches the order of what it yields:
  - ids so far in ascending code point order (as Cloudflare's other listings, KV and R2,
    return keys): the fresh listing's ids up to the last one yielded are skipped, whatever
    was inserted or deleted in between; should the fresh listing turn out not to be
    ascending, skipping by order is no longer safe and `ListingResumeError` is raised;
  - any other order: the fresh listing must start with exactly the ids yielded so far, in
    the same order (checked by a running BLAKE2b digest of them, not a set of ids); they
    are skipped and the rest is yielded. If it does not, `ListingResumeError` is raised.
  Either way the memory is the same for ten ids or twenty million. A restart re-reads the
  pages up to where the listing was (the API offers no way to start elsewhere).
- A restart that brings no new id before the cursor is refused again is a restart without
  progress; after `MAX_RESTARTS_WITHOUT_PROGRESS` of them in a row the refusal is raised,
  so a server that refuses every cursor cannot keep a listing busy for ever.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Self

from ._errors import (
    INDEX_NOT_FOUND_CODE,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    InvalidInputError,
    InvalidInputTypeError,
    ListingResumeError,
)
from ._limits import MAX_PAGE_SIZE
from ._response import _snippet, success_body

if TYPE_CHECKING:
    from cf_vectorize_api.models import ListVectorsResult

logger = logging.getLogger("cf_vectorize")

DEFAULT_PAGE_SIZE: Final = MAX_PAGE_SIZE  # the fewest requests for a whole index
MAX_RESTARTS_WITHOUT_PROGRESS: Final = 2
# Statuses that, on a request with a cursor, mean "this cursor is no good".
CURSOR_REFUSED_STATUSES: Final = frozenset({400, 404, 410, 422})


def check_page_size(page_size: object) -> int:
    """Return page_size if it is an int from 1 to 1000 (Cloudflare's page limit)."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidInputTypeError(f"page_size must be an int, not {type(page_size).__name__}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"page_size must be from 1 to {MAX_PAGE_SIZE}, not {page_size}")
    return page_size


def check_cursor(cursor: object) -> str | None:
    """Return cursor if it is None or a non-empty string (sent back as the API gave it)."""
    if cursor is None:
        return None
    if not isinstance(cursor, str):
        raise InvalidInputTypeError(f"cursor must be a str or None, not {type(cursor).__name__}")
    if not cursor:
        raise InvalidInputError("cursor is empty: pass None for the first page")
    return cursor


@dataclass(frozen=True)
class Page:
    """One page of a listing, checked.

    `next_cursor` is None on the last page; `cursor_expires_at` is None when the page
    gives no time (or one that does not parse: it only informs).
    """

    ids: list[str]
    total_count: int
    next_cursor: str | None
    cursor_expires_at: datetime.datetime | None


def page_from(status_code: int, headers: Mapping[str, str], content: bytes) -> Page:
    """Return the page of a 200 answer; raise a typed error for anything else."""
    data = success_body(status_code, headers, content)
    try:
        return _checked(_parse(data))
    except Exception as error:  # any shape at all: a typed error, never a bare one from inside
        raise APIResponseValidationError(
            "HTTP 200 with a body that is not a List Vectors page "
            f"({type(error).__name__}: {error}): {_snippet(content)!r}",
            status_code=200,
            cf_ray=headers.get("cf-ray"),
        ) from None


def _parse(data: Any) -> ListVectorsResult:  # noqa: ANN401 - JSON of any shape, checked here
    from cf_vectorize_api.models import ListVectorsResponse  # noqa: PLC0415

    if not isinstance(data, dict):
        raise TypeError(f"the body is a JSON {type(data).__name__}, not an object")
    return ListVectorsResponse.from_dict(_without_bad_expiry(data)).result


def _without_bad_expiry(data: dict[str, Any]) -> dict[str, Any]:
    """Drop a cursorExpirationTimestamp that is not RFC 3339, with a warning.

    It only informs: a listing of millions of ids must not fail on it.
    """
    result = data.get("result")
    if not isinstance(result, dict):
        return data
    stamp = result.get("cursorExpirationTimestamp")
    if stamp is None:
        return data
    try:
        datetime.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        logger.warning("list-vectors: cursorExpirationTimestamp %r is not a time; ignored", stamp)
        return {**data, "result": {**result, "cursorExpirationTimestamp": None}}
    return data


def _checked(result: ListVectorsResult) -> Page:
    """Check what the generated code does not, and keep only what a listing needs."""
    for name, value in (("count", result.count), ("totalCount", result.total_count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TypeError(f"{name} is {value!r}, not a count")
    if not isinstance(result.is_truncated, bool):
        raise TypeError(f"isTruncated is {result.is_truncated!r}, not a boolean")
    if not isinstance(result.vectors, list):
        raise TypeError("vectors is not an array")
    ids = [item.id for item in result.vectors]
    for vector_id in ids:
        if not isinstance(vector_id, str) or not vector_id:
            raise TypeError(f"a listed id is {vector_id!r}, not a non-empty string")
    if len(set(ids)) != len(ids):
        raise ValueError("an id comes twice in one page")
    cursor = result.next_cursor
    if cursor is not None and not isinstance(cursor, str):
        raise TypeError(f"nextCursor is {cursor!r}, not a string or null")
    expires = result.cursor_expiration_timestamp
    if not isinstance(expires, datetime.datetime):
        expires = None
    next_cursor = cursor or None  # an empty cursor ends the listing, as null does
    if result.is_truncated and next_cursor is None:
        logger.warning(
            "list-vectors: a page says isTruncated but gives no nextCursor; "
            "the listing ends there, as Cloudflare's docs and wrangler do"
        )
    if not result.is_truncated:
        next_cursor = None
    return Page(ids, result.total_count, next_cursor, expires)


def cursor_refused(error: APIError) -> bool:
    """Return whether ``error``, the answer to a request with a cursor, refuses the cursor."""
    return (
        isinstance(error, APIStatusError)
        and error.status_code in CURSOR_REFUSED_STATUSES
        and INDEX_NOT_FOUND_CODE not in error.codes
    )


class _Yielded:
    """What a listing has yielded, in constant memory: count, order, last id, digest."""

    def __init__(self) -> None:
        self.count = 0
        self.ascending = True
        self.last: str | None = None
        self.digest = hashlib.blake2b(digest_size=32)

    def add(self, vector_id: str) -> None:
        if self.last is not None and vector_id <= self.last:
            self.ascending = False
        self.last = vector_id
        self.count += 1
        _feed(self.digest, vector_id)


def _feed(digest: Any, vector_id: str) -> None:  # noqa: ANN401 - a hashlib object
    # Length-prefixed, so that no two sequences of ids feed the same bytes.
    data = vector_id.encode("utf-8", "surrogatepass")
    digest.update(len(data).to_bytes(4, "big") + data)


class _Realign:
    """Skips, in a fresh listing, the ids yielded before the restart (see the module doc)."""

    def __init__(self, before: _Yielded) -> None:
        self.by_order = before.ascending
        self.last = before.last or ""  # made only after something was yielded
        self.expected_count = before.count
        self.expected_digest = before.digest.digest()
        self.seen = 0
        self.digest = hashlib.blake2b(digest_size=32)
        self.previous: str | None = None
        self.matched = False

    def admit(self, vector_id: str) -> bool:
        """Return whether to yield ``vector_id``; raise when that can no longer be told."""
        if self.by_order:
            if self.previous is not None and vector_id <= self.previous:
                raise ListingResumeError(
                    "list-vectors: a cursor was refused, and the fresh listing is not in "
                    "ascending order as the first one was, so skipping the ids already "
                    "yielded by their order is not safe; start the listing again"
                )
            self.previous = vector_id
            return vector_id > self.last
        if self.matched:
            return True
        self.seen += 1
        _feed(self.digest, vector_id)
        if self.seen == self.expected_count:
            if self.digest.digest() != self.expected_digest:
                raise self._mismatch()
            self.matched = True
        return False

    def finish(self) -> None:
        """Raise if the fresh listing ended before the ids yielded were matched."""
        if not self.by_order and not self.matched:
            raise self._mismatch()

    def _mismatch(self) -> ListingResumeError:
        return ListingResumeError(
            "list-vectors: a cursor was refused, and the fresh listing does not begin with "
            f"the {self.expected_count} ids already yielded in their order (the index "
            "changed, or its order is not stable), so it cannot go on without repeating or "
            "losing ids; start the listing again"
        )


class Listing:
    """The state of one `list_ids` call: what to ask next and what to yield.

    A driver loops while `not done`: it sends a request for `page_size` ids with `cursor`
    (None: a fresh listing), passes the page to `take` and yields what it returns, or
    passes a failure to `failed`, which raises it unless the listing restarts.
    """

    def __init__(self, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.page_size = check_page_size(page_size)
        self.cursor: str | None = None
        self.done = False
        self.restarts = 0
        self.total_count: int | None = None
        self._yielded = _Yielded()
        self._realign: _Realign | None = None
        self._restarts_without_progress = 0

    def __repr__(self) -> str:
        state = "done" if self.done else ("next page" if self.cursor else "first page")
        return (
            f"Listing(page_size={self.page_size}, yielded={self.yielded}, "
            f"restarts={self.restarts}, {state})"
        )

    @property
    def yielded(self) -> int:
        """How many ids have been yielded so far."""
        return self._yielded.count

    def take(self, page: Page) -> list[str]:
        """Return the ids of ``page`` to yield, and move on to the next page (or the end)."""
        self.total_count = page.total_count
        realign = self._realign
        fresh: list[str] = []
        for vector_id in page.ids:
            if realign is None or realign.admit(vector_id):
                self._yielded.add(vector_id)
                fresh.append(vector_id)
        if fresh:
            self._restarts_without_progress = 0
        self.cursor = page.next_cursor
        if self.cursor is None:
            if realign is not None:
                realign.finish()
            self.done = True
        return fresh

    def failed(self, error: APIError) -> None:
        """Handle a request that failed for good: restart on a refused cursor, else raise."""
        if self.cursor is None or not cursor_refused(error):
            raise error
        if self._restarts_without_progress >= MAX_RESTARTS_WITHOUT_PROGRESS:
            error.add_note(
                f"list-vectors: the cursor was refused again after {self.restarts} fresh "
                f"listing(s), the last {self._restarts_without_progress} without a new id"
            )
            raise error
        self._restarts_without_progress += 1
        self.restarts += 1
        logger.info(
            "list-vectors: cursor refused (%s); fresh listing %d, skipping the %d ids "
            "already yielded",
            error, self.restarts, self._yielded.count,
        )  # fmt: skip
        self.cursor = None
        self._realign = _Realign(self._yielded) if self._yielded.count else None


# What a driver calls to get one page: (page size, cursor or None) -> the checked page,
# with retries and pacing done; it raises an APIError when the page cannot be had.
FetchPage = Callable[[int, "str | None"], Page]
AsyncFetchPage = Callable[[int, "str | None"], Awaitable[Page]]


def iterate(listing: Listing, fetch: FetchPage) -> Iterator[str]:
    """Yield every id of a listing, fetching its pages with ``fetch`` (the sync driver)."""
    while not listing.done:
        try:
            page = fetch(listing.page_size, listing.cursor)
        except APIError as error:
            listing.failed(error)
            continue
        yield from listing.take(page)


async def aiterate(listing: Listing, fetch: AsyncFetchPage) -> AsyncIterator[str]:
    """Yield every id of a listing, fetching its pages with ``fetch`` (the async driver)."""
    while not listing.done:
        try:
            page = await fetch(listing.page_size, listing.cursor)
        except APIError as error:
            listing.failed(error)
            continue
        for vector_id in listing.take(page):
            yield vector_id


class IdListing:
    """The ids `Vectorize.list_ids` yields: an iterator that also tells how far it got.

    `total_count` is Cloudflare's `totalCount` of the last page read (None before the
    first), `ids_done` the ids yielded so far, `restarts` the fresh listings started after
    a refused cursor. Closing it (or leaving its `with` block) stops the listing.
    """

    def __init__(self, listing: Listing, ids: Iterator[str]) -> None:
        self._listing = listing
        self._ids = ids

    @property
    def total_count(self) -> int | None:
        """The index's vector count as the last page gave it, or None before the first."""
        return self._listing.total_count

    @property
    def ids_done(self) -> int:
        """How many ids have been yielded so far."""
        return self._listing.yielded

    @property
    def restarts(self) -> int:
        """How many fresh listings were started after a refused cursor."""
        return self._listing.restarts

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> str:
        return next(self._ids)

    def close(self) -> None:
        """Stop the listing: nothing more is sent."""
        close = getattr(self._ids, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(ids_done={self.ids_done}, total_count={self.total_count}, "
            f"restarts={self.restarts})"
        )


class AsyncIdListing:
    """The ids `AsyncVectorize.list_ids` yields, for `async for`; as `IdListing`."""

    def __init__(self, listing: Listing, ids: AsyncIterator[str]) -> None:
        self._listing = listing
        self._ids = ids

    total_count = IdListing.total_count
    ids_done = IdListing.ids_done
    restarts = IdListing.restarts
    __repr__ = IdListing.__repr__

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> str:
        return await anext(self._ids)

    async def aclose(self) -> None:
        """Stop the listing: nothing more is sent."""
        aclose = getattr(self._ids, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
