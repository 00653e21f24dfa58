"""The ids of ``get-by-ids``: the arguments, then the lines of --ids-file, read in flat memory.

They are read twice: once to check every id and count them before anything is sent, once
to feed the fetch. A regular file is simply opened again; stdin or a pipe, which cannot be
read twice, is copied to an anonymous temporary file as it is first read. Either way no
more than a line is held in memory, whatever the number of ids.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import IO, Self, TextIO

from .._errors import InvalidInputError

__all__ = ["IdSource", "ids_of"]


def ids_of(lines: Iterable[str]) -> Iterator[str]:
    """Yield the id of each line: the line ending removed, nothing else; blank lines skipped."""
    for line in lines:
        vector_id = line.removesuffix("\n").removesuffix("\r")
        if vector_id.strip():
            yield vector_id


def _is_regular_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # opened below, where the error is reported


class IdSource:
    """The ids of the command line and of --ids-file (FILE, or - for stdin), in order.

    Each iteration reads them afresh (stdin and pipes from a copy once first read); an
    unreadable file ends it with InvalidInputError. A context manager: leaving it deletes
    the copy.
    """

    def __init__(self, ids: list[str], ids_file: str | None, stdin: TextIO) -> None:
        if not ids and ids_file is None:
            raise InvalidInputError(
                "no ids: give them as arguments or with --ids-file FILE (- for stdin)"
            )
        self._ids = ids
        self._file = ids_file
        self._stdin = stdin
        self._copy: IO[str] | None = None  # stdin or a pipe, once read whole

    def __iter__(self) -> Iterator[str]:
        yield from self._ids
        if self._file is None:
            return
        try:
            if self._copy is not None:
                self._copy.seek(0)
                yield from ids_of(self._copy)
            elif self._file != "-" and _is_regular_file(self._file):
                with open(self._file, encoding="utf-8", newline="") as file:
                    yield from ids_of(file)
            elif self._file == "-":
                yield from self._copied(self._stdin)
            else:
                with open(self._file, encoding="utf-8", newline="") as file:
                    yield from self._copied(file)
        except (OSError, UnicodeError) as error:
            raise InvalidInputError(f"cannot read --ids-file {self._file}: {error}") from None

    def _copied(self, lines: Iterable[str]) -> Iterator[str]:
        """Yield the ids of lines, writing each to a temporary file for the next reading."""
        # surrogateescape: stdin decoded so (a C locale) keeps undecodable bytes as lone
        # surrogates, which must reach the id check, not fail here.
        copy = tempfile.TemporaryFile(  # noqa: SIM115 - kept open for the next reading
            "w+", encoding="utf-8", errors="surrogateescape", newline=""
        )
        try:
            for vector_id in ids_of(lines):
                copy.write(vector_id + "\n")
                yield vector_id
        except BaseException:
            copy.close()
            raise
        self._copy = copy

    def close(self) -> None:
        """Delete the copy of stdin or a pipe, if one was made."""
        if self._copy is not None:
            self._copy.close()
            self._copy = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
