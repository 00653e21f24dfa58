"""Markdown tables, as the scripts print them (the README quotes them as they are)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


def table(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, right: Collection[str] = ()
) -> list[str]:
    """Return the lines of a markdown table; the columns named in `right` align right."""
    rule = ("---:" if name in right else "---" for name in header)
    lines = [_line(header), _line(rule)]
    lines += (_line(row) for row in rows)
    return lines


def _line(cells: Iterable[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
