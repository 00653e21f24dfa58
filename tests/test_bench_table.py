"""Table building of the scripts (_bench_table.py, _markdown.py); no timing here."""

from __future__ import annotations

import pytest

from scripts._bench_table import Row, format_value, median, missed, render, target, verdict
from scripts._markdown import table


def test_target_ratio_and_verdict() -> None:
    close = target("httpx", 1.05, 1.0, 1.10)
    assert close.ratio == pytest.approx(1.05)
    assert close.met
    far = target("httpx", 1.2, 1.0, 1.10)
    assert not far.met
    assert verdict([close]) == "met"
    assert verdict([close, far]) == "**missed**"
    assert verdict([]) == ""
    assert "1.10 x httpx" in far.describe()
    assert "got 1.20 x" in far.describe()


def test_a_reference_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="non-positive"):
        target("floor", 1.0, 0.0, 1.3)


def test_median_needs_samples() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    with pytest.raises(ValueError, match="no samples"):
        median([])


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (2.5, "s", "2.5 s"),
        (0.0123, "s", "12.3 ms"),
        (0.000456, "s", "456 µs"),
        (50 * 2**20, "B", "50.0 MiB"),
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_format_value_refuses_unknown_units() -> None:
    with pytest.raises(ValueError, match="unit"):
        format_value(1.0, "m")


def test_render_and_missed() -> None:
    rows = [
        Row("call", "httpx", 0.001, "s", 0.001),
        Row("call", "ours", 0.0012, "s", 0.001, (target("httpx", 0.0012, 0.001, 1.1),)),
        Row("bulk", "sdk loop", 26.0, "s", note="(1 run)"),
    ]
    table = render(rows, {"call": "httpx"})
    lines = table.splitlines()
    assert lines[0].startswith("| scenario | contender | median |")
    assert len(lines) == 2 + len(rows)
    assert "| call (baseline: httpx) | ours | 1.2 ms | 1.20 |" in lines[3]
    assert lines[3].endswith("| **missed** |")
    assert "26 s (1 run)" in lines[4]
    assert missed(rows) == ["call / ours"]


def test_markdown_table_aligns_the_named_columns_right() -> None:
    lines = table(("name", "count"), [("a", 1), ("b", 22)], right={"count"})
    assert lines == ["| name | count |", "| --- | ---: |", "| a | 1 |", "| b | 22 |"]
    assert table(("x",), []) == ["| x |", "| --- |"]
