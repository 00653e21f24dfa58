"""Rendering vectors for ``get-by-ids``: a JSON array, NDJSON lines, or a table."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

from cf_vectorize_api.models import Vector

__all__ = ["FORMATS", "quote_id", "render", "shorten_values"]


def _as_dict(vector: Vector) -> dict[str, Any]:
    # Exactly the object the API sent: metadata and namespace only when it sent them.
    return vector.to_dict()


def _dumps(value: object) -> str:
    # ASCII escapes keep the output valid whatever the terminal's or the pipe's encoding.
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def render_json(vectors: Iterable[Vector], max_values: int) -> Iterator[str]:
    """One JSON array, one vector per line, each written as it comes: valid for ``jq``."""
    del max_values  # JSON output is data: never shortened
    separator = "[\n  "
    for vector in vectors:
        yield separator + _dumps(_as_dict(vector))
        separator = ",\n  "
    yield "[]\n" if separator.startswith("[") else "\n]\n"


def render_ndjson(vectors: Iterable[Vector], max_values: int) -> Iterator[str]:
    """One JSON object per line, the format ``wrangler vectorize insert --file`` takes."""
    del max_values
    for vector in vectors:
        yield _dumps(_as_dict(vector)) + "\n"


def shorten_values(values: Sequence[float], max_values: int) -> str:
    """``[0.1, 0.2, … (8 values)]``: the first ``max_values`` values (all when 0)."""
    shown = values if max_values == 0 else values[:max_values]
    text = ", ".join(f"{value:.6g}" for value in shown)
    if len(shown) < len(values):
        return f"[{text}, … ({len(values)} values)]"
    return f"[{text}]"


def quote_id(vector_id: str) -> str:
    """Return the id as is when it reads unambiguously on a line, else as a JSON string."""
    if vector_id.isprintable() and vector_id == vector_id.strip():
        return vector_id
    return _dumps(vector_id)


def render_table(vectors: Iterable[Vector], max_values: int) -> Iterator[str]:
    """Aligned columns id, namespace (when any vector has one), values, metadata.

    It holds every vector until the last has come, to size the columns.
    """
    vectors = list(vectors)
    with_namespace = any(v.namespace is not None for v in vectors)
    header = ["id", *(["namespace"] if with_namespace else []), "values", "metadata"]
    rows = [header]
    for vector in vectors:
        row = [quote_id(vector.id)]
        if with_namespace:
            row.append(vector.namespace or "")
        row.append(shorten_values(vector.values, max_values))
        metadata = vector.metadata
        row.append("" if metadata is None else json.dumps(metadata, ensure_ascii=False))
        rows.append(row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        yield "  ".join(cells).rstrip() + "\n"


Renderer = Callable[[Iterable[Vector], int], Iterator[str]]

FORMATS: Final[dict[str, Renderer]] = {
    "json": render_json,
    "ndjson": render_ndjson,
    "table": render_table,
}


def render(vectors: Iterable[Vector], output_format: str, max_values: int) -> Iterator[str]:
    """Return the text of ``vectors`` in ``output_format`` (a key of FORMATS), in pieces."""
    return FORMATS[output_format](vectors, max_values)
