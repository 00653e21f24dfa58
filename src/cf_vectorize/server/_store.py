"""Indexes of the stand-in server: loading and checking NDJSON data files.

A data file holds one vector per line, as ``wrangler vectorize insert --file`` takes it:
``{"id": "...", "values": [...], "metadata": {...}, "namespace": "..."}``
(``metadata`` and ``namespace`` optional; blank lines ignored).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from .._limits import (
    INDEX_NAME_PATTERN,
    MAX_DIMENSIONS,
    MAX_ID_BYTES,
    MAX_INDEX_NAME_BYTES,
    MAX_METADATA_BYTES,
    MAX_NAMESPACE_BYTES,
)
from . import _json
from ._index import Index, IndexBuilder

__all__ = [
    "SAMPLE_INDEX_NAME",
    "DataFileError",
    "Index",
    "Store",
    "load_index",
    "load_sample_index",
    "parse_index_lines",
    "parse_index_rows",
]


SAMPLE_INDEX_NAME: Final = "sample"
_SAMPLE_RESOURCE: Final = "sample.ndjson"
_KNOWN_FIELDS: Final = frozenset({"id", "values", "metadata", "namespace"})
# Enough to fix a file in one pass without flooding the terminal.
_MAX_REPORTED_ERRORS: Final = 20
# A file wrong on every one of its million lines must not take memory for each message.
_MAX_KEPT_PROBLEMS: Final = 1000


class DataFileError(ValueError):
    """A data file or an index name that cannot be served; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str], *, more: int = 0) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        # Problems found beyond those kept in ``problems``.
        self.more = more
        shown = list(self.problems[:_MAX_REPORTED_ERRORS])
        hidden = len(self.problems) - len(shown) + more
        if hidden:
            shown.append(f"... and {hidden} more problems")
        super().__init__("\n".join(shown))


class Store:
    """The indexes served, by name; :meth:`add` may add or replace one while serving.

    Given a dict, the store serves from that dict itself.
    """

    def __init__(self, indexes: Mapping[str, Index] | None = None) -> None:
        # A dict given is kept, not copied (as before add() existed): a test that swaps an
        # index in it changes what is served.
        self._indexes: dict[str, Index] = (
            indexes if isinstance(indexes, dict) else dict(indexes or {})
        )

    @property
    def indexes(self) -> Mapping[str, Index]:
        """The indexes by name (a read-only view)."""
        return MappingProxyType(self._indexes)

    def get(self, name: str) -> Index | None:
        """Return the index called ``name``, or ``None``."""
        return self._indexes.get(name)

    def add(self, index: Index) -> None:
        """Serve ``index`` under its name, in place of any index of that name."""
        self._indexes[index.name] = index  # one dict store: atomic for the serving threads

    def remove(self, name: str) -> None:
        """Stop serving the index ``name`` (nothing when there is none)."""
        self._indexes.pop(name, None)

    def __repr__(self) -> str:
        return f"Store(indexes={sorted(self._indexes)})"


def check_index_name(name: str) -> str | None:
    """Return why ``name`` cannot name a Vectorize index, or ``None`` when it can."""
    size = _utf8_size(name)  # None for a lone surrogate, which the pattern refuses next
    if size is not None and size > MAX_INDEX_NAME_BYTES:
        return f"index name {name!r} is over {MAX_INDEX_NAME_BYTES} bytes"
    # fullmatch: "$" alone would accept a name ending in a newline.
    if not INDEX_NAME_PATTERN.fullmatch(name):
        return (
            f"index name {name!r} does not match {INDEX_NAME_PATTERN.pattern} "
            "(lowercase letters, digits, '-' and '_'; starts with a letter)"
        )
    return None


def load_index(name: str, path: str | Path) -> Index:
    """Load and check the NDJSON file ``path`` as the index ``name``, a line at a time."""
    problem = check_index_name(name)
    if problem is not None:
        raise DataFileError([problem])
    try:
        with Path(path).open("rb") as lines:
            return parse_index_lines(name, str(path), lines)
    except OSError as error:
        raise DataFileError([f"{path}: cannot read: {error}"]) from error


def load_sample_index() -> Index:
    """Load the small index bundled with the package (8 dimensions)."""
    text = resources.files("cf_vectorize").joinpath("data", _SAMPLE_RESOURCE).read_text("utf-8")
    return parse_index_lines(SAMPLE_INDEX_NAME, _SAMPLE_RESOURCE, text.splitlines())


def parse_index_lines(name: str, source: str, lines: Iterable[str | bytes]) -> Index:
    """Check every line of a data file and build the index; raise one error listing all.

    Lines may be text or UTF-8 bytes; each is parsed, checked and stored before the next
    is read, so a file need not fit in memory as Python objects.
    """
    return _build(name, _parsed_lines(lines), lambda n: f"{source}:{n}", lambda n: f"line {n}")


def parse_index_rows(name: str, rows: Iterable[object]) -> Index:
    """Build the index ``name`` from rows given in Python, checked as a data file's lines.

    Each row goes through JSON, as a line of a file does: what JSON cannot carry (a set,
    a NumPy number) is reported by its position, ``vectors[N]``; a tuple is taken as a list.
    """
    problem = check_index_name(name)
    if problem is not None:
        raise DataFileError([problem])
    if isinstance(rows, Mapping | str | bytes):
        raise DataFileError([f"vectors: expected a list of dicts, got {type(rows).__name__}"])
    place = "vectors[{}]".format
    return _build(name, _parsed_rows(rows), place, place)


class _Unreadable:
    """A line or row that is not JSON, with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _parsed_lines(lines: Iterable[str | bytes]) -> Iterator[tuple[int, object]]:
    """Yield the line number and parsed record (or why not) of each non-blank line."""
    for number, raw in enumerate(lines, start=1):
        if not raw or raw.isspace():
            continue
        try:
            yield number, _json.loads_line(raw)
        except UnicodeDecodeError as error:
            yield number, _Unreadable(f"not UTF-8: {error.reason} at byte {error.start + 1}")
        except json.JSONDecodeError as error:
            yield number, _Unreadable(f"invalid JSON: {error.msg} (column {error.colno})")
        except ValueError as error:  # an integer of more digits than Python converts
            yield number, _Unreadable(f"invalid JSON: {error}")
        except RecursionError:
            yield number, _Unreadable("invalid JSON: nested too deeply")


def _parsed_rows(rows: Iterable[object]) -> Iterator[tuple[int, object]]:
    """Yield the position and the row as JSON carries it (or why it cannot)."""
    for number, row in enumerate(rows):
        try:
            yield number, json.loads(json.dumps(row))
        except (TypeError, ValueError) as error:
            yield number, _Unreadable(f"cannot be written as JSON: {error}")
        except RecursionError:
            yield number, _Unreadable("cannot be written as JSON: nested too deeply")


def _build(
    name: str,
    records: Iterable[tuple[int, object]],
    where: Callable[[int], str],
    place: Callable[[int], str],
) -> Index:
    """Check every record and build the index; raise one error listing every problem.

    ``where`` names a record in a problem ("file:3"), ``place`` in its text ("line 3").
    """
    problems = _Problems()
    builder = IndexBuilder()
    dimensions: int | None = None
    dimensions_at = 0
    for number, record in records:
        if isinstance(record, _Unreadable):
            problems.add(f"{where(number)}: {record.reason}")
            continue
        vector, record_problems = _check_record(record)
        if record_problems:
            problems.extend(f"{where(number)}: {p}" for p in record_problems)
        if vector is None:
            continue
        count = len(vector["values"])
        if dimensions is None:
            dimensions, dimensions_at = count, number
        elif count != dimensions:
            problems.add(
                f"{where(number)}: vector {vector['id']!r} has {count} values; the index has "
                f"{dimensions} dimensions (set by {place(dimensions_at)})"
            )
            continue
        first = builder.add(vector, number)
        if first is not None:
            problems.add(
                f"{where(number)}: duplicate id {vector['id']!r} (first on {place(first)})"
            )
    if problems:
        raise DataFileError(problems.kept, more=problems.more)
    return builder.build(name, dimensions)


class _Problems:
    """The problems found so far: the first ones kept in full, the others counted."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.kept)

    def add(self, problem: str) -> None:
        if len(self.kept) < _MAX_KEPT_PROBLEMS:
            self.kept.append(problem)
        else:
            self.more += 1

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.add(problem)


def _check_record(record: object) -> tuple[dict[str, Any] | None, list[str]]:
    """Check one parsed line; return the vector to store (or None) and the problems."""
    if not isinstance(record, dict):
        return None, [f"expected a JSON object, got {_json_type(record)}"]
    problems = [
        f"unknown field {key!r} (expected id, values, metadata, namespace)"
        for key in record
        if key not in _KNOWN_FIELDS
    ]
    problems += _check_id(record)
    problems += _check_values(record)
    problems += _check_metadata(record)
    problems += _check_namespace(record)
    if problems:
        return None, problems
    # Served as written: optional fields appear only when the file sets them.
    vector: dict[str, Any] = {"id": record["id"], "values": record["values"]}
    for optional in ("metadata", "namespace"):
        if record.get(optional) is not None:
            vector[optional] = record[optional]
    return vector, []


def _check_id(record: Mapping[str, Any]) -> list[str]:
    if "id" not in record:
        return ["missing id"]
    vector_id = record["id"]
    if not isinstance(vector_id, str):
        return [f"id must be a string, got {_json_type(vector_id)}"]
    if not vector_id:
        return ["id is empty"]
    size = _utf8_size(vector_id)
    if size is None:
        return [f"id {vector_id[:20]!r} is not valid Unicode (a lone surrogate)"]
    if size > MAX_ID_BYTES:
        return [f"id {vector_id[:20]!r}... is {size} bytes; at most {MAX_ID_BYTES}"]
    return []


def _check_values(record: Mapping[str, Any]) -> list[str]:  # noqa: PLR0911 - one per problem
    if "values" not in record:
        return ["missing values"]
    values = record["values"]
    if not isinstance(values, list):
        return [f"values must be an array of numbers, got {_json_type(values)}"]
    if not values:
        return ["values is empty"]
    if len(values) > MAX_DIMENSIONS:
        return [f"values has {len(values)} dimensions; at most {MAX_DIMENSIONS}"]
    # Fast path for the common case (a big file has millions of values): only floats and
    # ints, and a finite exact sum means every value is finite (fsum gives inf or nan
    # otherwise). Anything else is looked at value by value, to name the culprit.
    if set(map(type, values)) <= {float, int}:
        try:
            if math.isfinite(math.fsum(values)):
                return []
        except OverflowError:
            pass
    for position, value in enumerate(values):
        # bool is an int subclass in Python but not a number in JSON.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"values[{position}] is not a number: {json.dumps(value)}"]
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer beyond any double
            return [f"values[{position}] is beyond the range of a double: {str(value)[:20]}..."]
        if not finite:
            return [f"values[{position}] is not a finite number: {value}"]
    return []


def _check_metadata(record: Mapping[str, Any]) -> list[str]:
    metadata = record.get("metadata")
    if metadata is None:
        return []
    if not isinstance(metadata, dict):
        return [f"metadata must be an object, got {_json_type(metadata)}"]
    try:
        size = len(json.dumps(metadata, separators=(",", ":"), allow_nan=False).encode())
    except ValueError:
        return ["metadata holds NaN or an infinity, which JSON answers cannot carry"]
    except RecursionError:
        return ["metadata nests too deeply"]
    if size > MAX_METADATA_BYTES:
        return [f"metadata is {size} bytes; at most {MAX_METADATA_BYTES}"]
    return []


def _check_namespace(record: Mapping[str, Any]) -> list[str]:
    namespace = record.get("namespace")
    if namespace is None:
        return []
    if not isinstance(namespace, str):
        return [f"namespace must be a string, got {_json_type(namespace)}"]
    size = _utf8_size(namespace)
    if size is None:
        return [f"namespace {namespace[:20]!r} is not valid Unicode (a lone surrogate)"]
    if size > MAX_NAMESPACE_BYTES:
        return [f"namespace is {size} bytes; at most {MAX_NAMESPACE_BYTES}"]
    return []


def _utf8_size(text: str) -> int | None:
    """Return the UTF-8 size of ``text``, or ``None`` when it holds a lone surrogate.

    JSON's escapes of one half of a surrogate pair decode to such strings, which no UTF-8
    encoder accepts.
    """
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return None


def _json_type(value: object) -> str:
    """Name a parsed JSON value's type as JSON does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
