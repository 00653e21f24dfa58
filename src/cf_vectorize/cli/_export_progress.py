"""The progress line of ``export``: done / total, rate, time left, on one terminal line."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TextIO

from ._progress import TerminalLine

if TYPE_CHECKING:
    from .._export import ExportProgress

__all__ = ["ExportProgressLine", "format_duration"]

# Redraws a second at most: a terminal line, not a log.
_REDRAW_EVERY: Final = 0.2


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``, ``3d04h``: two units at most."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


class ExportProgressLine(TerminalLine):
    """``export docs: 12,000 / 100,000 vectors (12%), 850/s, 1m43s left``, redrawn in place.

    The rate counts the vectors written by this run since its first update (a resumed
    export's earlier vectors took no time here). Disabled, it writes nothing.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        enabled: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(stream, enabled=enabled)
        self._label = label
        self._clock = clock
        self._started: float | None = None
        self._last_drawn = float("-inf")

    def text(self, progress: ExportProgress, now: float) -> str:
        """Return the line for ``progress`` at time ``now``."""
        if self._started is None:
            self._started = now
        done, total = progress.done, progress.total
        parts = [f"{progress.written:,}"]
        if total is not None:
            percent = 100 * done // total if total else 100
            parts.append(f"/ {total:,} vectors ({min(percent, 100)}%)")
        else:
            parts.append("vectors")
        line = f"{self._label}: {' '.join(parts)}"
        if progress.missing:
            line += f", {progress.missing:,} gone"
        elapsed = now - self._started
        this_run = progress.written - progress.written_at_start
        if elapsed > 0 and this_run > 0:
            rate = this_run / elapsed
            line += f", {rate:,.0f}/s"
            if total is not None and total > done:
                line += f", {format_duration((total - done) / rate)} left"
        return line

    def update(self, progress: ExportProgress) -> None:
        """Redraw, unless the last redraw was a moment ago."""
        if not self._enabled:
            return
        now = self._clock()
        if now - self._last_drawn < _REDRAW_EVERY:
            return
        self._last_drawn = now
        # Erased first: the line can be shorter than the one it replaces.
        self._draw(f"\x1b[2K{self.text(progress, now)}")
