"""The export's progress line: done / total, rate, time left; quiet when disabled."""

from __future__ import annotations

import io

from cf_vectorize._export import ExportProgress
from cf_vectorize.cli._export_progress import ExportProgressLine, format_duration


def test_format_duration_keeps_two_units() -> None:
    assert format_duration(0) == "0s"
    assert format_duration(59.4) == "59s"
    assert format_duration(185) == "3m05s"
    assert format_duration(2 * 3600 + 7 * 60 + 5) == "2h07m"
    assert format_duration(47.5 * 3600) == "47h30m"
    assert format_duration(70.75 * 3600) == "2d22h"
    assert format_duration(76 * 3600) == "3d04h"


def test_line_says_done_total_rate_and_time_left() -> None:
    now = [100.0]
    line = ExportProgressLine(io.StringIO(), "export docs", enabled=True, clock=lambda: now[0])
    first = ExportProgress(written=2_000, missing=0, total=100_000, written_at_start=2_000)
    assert line.text(first, 100.0) == "export docs: 2,000 / 100,000 vectors (2%)"
    later = ExportProgress(written=12_000, missing=3, total=100_000, written_at_start=2_000)
    # 10,000 vectors in 10 s by this run: 1,000/s; 87,997 ids left take 1m28s.
    assert line.text(later, 110.0) == (
        "export docs: 12,000 / 100,000 vectors (12%), 3 gone, 1,000/s, 1m28s left"
    )


def test_line_without_a_total_yet() -> None:
    line = ExportProgressLine(io.StringIO(), "export docs", enabled=True)
    progress = ExportProgress(written=0, missing=0, total=None, written_at_start=0)
    assert line.text(progress, 0.0) == "export docs: 0 vectors"


def test_redraws_in_place_at_most_five_times_a_second_and_clears() -> None:
    stream = io.StringIO()
    now = [0.0]
    line = ExportProgressLine(stream, "export docs", enabled=True, clock=lambda: now[0])
    for step in range(10):
        now[0] = step * 0.05
        line.update(ExportProgress(step, 0, 10, 0))
    assert stream.getvalue().count("\r\x1b[2K") == 3  # at 0.0, 0.2 and 0.4 s
    line.clear()
    assert stream.getvalue().endswith("\r\x1b[2K")
    assert "\n" not in stream.getvalue()


def test_disabled_line_writes_nothing() -> None:
    stream = io.StringIO()
    line = ExportProgressLine(stream, "export docs", enabled=False)
    line.update(ExportProgress(1, 0, 10, 0))
    line.clear()
    assert stream.getvalue() == ""
