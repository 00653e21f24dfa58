"""Dependency-free progress lines on one terminal line, redrawn in place."""

from __future__ import annotations

from typing import TextIO

__all__ = ["ProgressBar", "TerminalLine"]

_WIDTH = 30
_ERASE = "\r\x1b[2K"


class TerminalLine:
    """One line of ``stream``, redrawn in place and erased by ``clear``.

    Disabled, it writes nothing, so callers need not test whether it is shown.
    """

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._drawn = False

    def _draw(self, text: str) -> None:
        """Go back to the start of the line and write ``text`` over what was there."""
        self._stream.write(f"\r{text}")
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the line, so that what follows starts on a clean line."""
        if self._drawn:
            self._stream.write(_ERASE)
            self._stream.flush()
            self._drawn = False


class ProgressBar(TerminalLine):
    """``label [########------]  160/1000 ids``, redrawn in place on ``stream``."""

    def __init__(self, stream: TextIO, total: int, label: str, *, enabled: bool) -> None:
        super().__init__(stream, enabled=enabled)
        self._total = total
        self._label = label
        self._done: int | None = None

    def update(self, done: int) -> None:
        """Redraw for ``done`` of the total (unless that is what the line shows)."""
        if not self._enabled or (self._drawn and done == self._done):
            return
        self._done = done
        filled = _WIDTH * done // self._total if self._total else _WIDTH
        bar = "#" * filled + "-" * (_WIDTH - filled)
        width = len(str(self._total))
        self._draw(f"{self._label} [{bar}] {done:>{width}}/{self._total} ids")
