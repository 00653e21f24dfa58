"""Indexes of the stand-in server: loading and checking NDJSON data files.

A data file holds one vector per line, as ``wrangler vectorize insert --file`` takes it:
``{"id": "...", "values": [...], "metadata": {...}, "namespace": "..."}``
(``metadata`` and ``namespace`` optional; blank lines ignored).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .._limits import (
    INDEX_NAME_PATTERN,
    MAX_DIMENSIONS,
    MAX_ID_BYTES,
    MAX_INDEX_NAME_BYTES,
    MAX_METADATA_BYTES,
    MAX_NAMESPACE_BYTES,
)

__all__ = [
    "SAMPLE_INDEX_NAME",
    "DataFileError",
    "Index",
    "Store",
    "load_index",
    "load_sample_index",
    "parse_index_lines",
]


SAMPLE_INDEX_NAME: Final = "sample"
_SAMPLE_RESOURCE: Final = "sample.ndjson"
_KNOWN_FIELDS: Final = frozenset({"id", "values", "metadata", "namespace"})
# Enough to fix a file in one pass without flooding the terminal.
_MAX_REPORTED_ERRORS: Final = 20


class DataFileError(ValueError):
    """A data file or an index name that cannot be served; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        shown = list(self.problems[:_MAX_REPORTED_ERRORS])
        if len(self.problems) > _MAX_REPORTED_ERRORS:
            shown.append(f"... and {len(self.problems) - _MAX_REPORTED_ERRORS} more problems")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class Index:
    """One index: its vectors keyed by id, in file order."""

    name: str
    dimensions: int | None
    vectors: Mapping[str, Mapping[str, Any]] = field(repr=False)
    _positions: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = {vector_id: n for n, vector_id in enumerate(self.vectors)}
        object.__setattr__(self, "_positions", positions)

    def get_by_ids(self, ids: Iterable[str]) -> list[Mapping[str, Any]]:
        """Return the stored vectors whose id is asked, each once, in file order.

        File order rather than request order: Cloudflare does not document the order
        of ``result``, so a client must map results back by id, and this shows it.
        """
        found = {vector_id for vector_id in ids if vector_id in self.vectors}
        return [self.vectors[i] for i in sorted(found, key=self._positions.__getitem__)]


@dataclass(frozen=True)
class Store:
    """The indexes served, by name."""

    indexes: Mapping[str, Index]

    def get(self, name: str) -> Index | None:
        """Return the index called ``name``, or ``None``."""
        return self.indexes.get(name)


def check_index_name(name: str) -> str | None:
    """Return why ``name`` cannot name a Vectorize index, or ``None`` when it can."""
    if len(name.encode()) > MAX_INDEX_NAME_BYTES:
        return f"index name {name!r} is over {MAX_INDEX_NAME_BYTES} bytes"
    if not INDEX_NAME_PATTERN.fullmatch(name):
        return (
            f"index name {name!r} does not match {INDEX_NAME_PATTERN.pattern} "
            "(lowercase letters, digits, '-' and '_'; starts with a letter)"
        )
    return None


def load_index(name: str, path: str | Path) -> Index:
    """Load and check the NDJSON file ``path`` as the index ``name``."""
    problem = check_index_name(name)
    if problem is not None:
        raise DataFileError([problem])
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError([f"{path}: cannot read: {error}"]) from error
    return parse_index_lines(name, str(path), text.splitlines())


def load_sample_index() -> Index:
    """Load the small index bundled with the package (8 dimensions)."""
    text = resources.files("cf_vectorize").joinpath("data", _SAMPLE_RESOURCE).read_text("utf-8")
    return parse_index_lines(SAMPLE_INDEX_NAME, _SAMPLE_RESOURCE, text.splitlines())


def parse_index_lines(name: str, source: str, lines: Iterable[str]) -> Index:
    """Check every line of a data file and build the index; raise one error listing all."""
    problems: list[str] = []
    vectors: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    dimensions: int | None = None
    dimensions_line = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: invalid JSON: {error.msg} (column {error.colno})")
            continue
        vector, line_problems = _check_record(record)
        problems.extend(f"{where}: {p}" for p in line_problems)
        if vector is None:
            continue
        vector_id = str(vector["id"])
        count = len(vector["values"])
        if dimensions is None:
            dimensions, dimensions_line = count, number
        elif count != dimensions:
            problems.append(
                f"{where}: vector {vector_id!r} has {count} values; the index has "
                f"{dimensions} dimensions (set by line {dimensions_line})"
            )
            continue
        if vector_id in vectors:
            problems.append(
                f"{where}: duplicate id {vector_id!r} (first on line {first_line[vector_id]})"
            )
            continue
        vectors[vector_id] = vector
        first_line[vector_id] = number
    if problems:
        raise DataFileError(problems)
    return Index(name=name, dimensions=dimensions, vectors=vectors)


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
    size = len(vector_id.encode())
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
        if not math.isfinite(value):
            return [f"values[{position}] is not a finite number: {value}"]
    return []


def _check_metadata(record: Mapping[str, Any]) -> list[str]:
    metadata = record.get("metadata")
    if metadata is None:
        return []
    if not isinstance(metadata, dict):
        return [f"metadata must be an object, got {_json_type(metadata)}"]
    size = len(json.dumps(metadata, separators=(",", ":")).encode())
    if size > MAX_METADATA_BYTES:
        return [f"metadata is {size} bytes; at most {MAX_METADATA_BYTES}"]
    return []


def _check_namespace(record: Mapping[str, Any]) -> list[str]:
    namespace = record.get("namespace")
    if namespace is None:
        return []
    if not isinstance(namespace, str):
        return [f"namespace must be a string, got {_json_type(namespace)}"]
    size = len(namespace.encode())
    if size > MAX_NAMESPACE_BYTES:
        return [f"namespace is {size} bytes; at most {MAX_NAMESPACE_BYTES}"]
    return []


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
