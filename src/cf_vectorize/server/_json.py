"""JSON for the stand-in's data: orjson where the ``fast`` extra is installed, json otherwise.

Loading a large data file is mostly parsing numbers and writing them back; orjson does
both several times faster. json keeps the last word, so what is loaded never depends on
the extra: whatever orjson refuses (NaN, lone surrogates, bad UTF-8) is handed to json,
which accepts it or words the error; so is a line with an integer beyond 64 bits, which
orjson would read as a float.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any, Final

__all__ = ["dumps_ascii", "dumps_numbers", "loads_line", "string_ascii"]

# 19 digits in a row: maybe an integer orjson cannot hold. A fraction or a string with as
# many digits only costs the slower parse (a double's shortest text has at most 17).
_LONG_INTEGER: Final = "[0-9]{19}"
_LONG_INTEGER_TEXT: Final = re.compile(_LONG_INTEGER)
_LONG_INTEGER_BYTES: Final = re.compile(_LONG_INTEGER.encode())
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the tests run with the extra installed
    _orjson = None  # type: ignore[assignment]


def loads_line(line: str | bytes) -> Any:  # noqa: ANN401 - JSON is any shape until checked
    """Parse one line as ``json.loads`` does (raises ``ValueError`` or ``RecursionError``)."""
    if _orjson is not None and not _has_long_integer(line):
        try:
            return _orjson.loads(line)
        except _orjson.JSONDecodeError:
            pass
    # Without its line ending, so that json's error names the column on this line.
    if isinstance(line, bytes):
        return json.loads(line.rstrip(b"\r\n"))
    return json.loads(line.rstrip("\r\n"))


def _has_long_integer(line: str | bytes) -> bool:
    if isinstance(line, bytes):
        return _LONG_INTEGER_BYTES.search(line) is not None
    return _LONG_INTEGER_TEXT.search(line) is not None


def dumps_ascii(value: object) -> bytes:
    """Serialise compactly, ASCII only (other characters escaped), refusing NaN and infinity."""
    return _ENCODER.encode(value).encode("ascii")


def string_ascii(text: str) -> bytes:
    """Return the JSON string of ``text``, ASCII only, as :func:`dumps_ascii` writes it."""
    return encode_basestring_ascii(text).encode("ascii")


def _dumps_numbers_orjson(numbers: Sequence[float]) -> bytes:
    try:
        return _orjson.dumps(numbers)
    except _orjson.JSONEncodeError:  # integers beyond 64 bits
        return dumps_ascii(numbers)


# Both write each float as the shortest text that reads back as the same double.
dumps_numbers: Final[Callable[[Sequence[float]], bytes]] = (
    dumps_ascii if _orjson is None else _dumps_numbers_orjson
)
