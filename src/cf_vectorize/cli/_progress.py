"""A dependency-free progress bar on one terminal line, redrawn in place."""

from __future__ import annotations

from typing import TextIO

__all__ = ["ProgressBar"]

_WIDTH = 30


class ProgressBar:
    """``label [########------]  160/1000 ids``, redrawn in place on ``stream``.

    Disabled, it writes nothing, so callers need not test whether it is shown.
    """

    def __init__(self, stream: TextIO, total: int, label: str, *, enabled: bool) -> None:
        self._stream = stream
        self._total = total
        self._label = label
        self._enabled = enabled
        self._drawn = False
        self._done: int | None = None

    def update(self, done: int) -> None:
        """Redraw for ``done`` of the total."""
        if not self._enabled or done == self._done:
            return
        self._done = done
        filled = _WIDTH * done // self._total if self._total else _WIDTH
        bar = "#" * filled + "-" * (_WIDTH - filled)
        width = len(str(self._total))
        self._stream.write(f"\r{self._label} [{bar}] {done:>{width}}/{self._total} ids")
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the bar, so that what follows starts on a clean line."""
        if self._drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._drawn = False
            self._done = None
