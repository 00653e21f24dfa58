"""Which ids an export has written: a compact set of 64-bit id hashes, and reading ids back.

Needed only when a listing starts over (its cursor expired or was refused) after vectors
were written: the new listing names them again, and none may be written twice. Holding
the ids themselves would cost ~100 bytes each in Python; a hash costs 8 bytes, kept in
sorted ``array('Q')`` runs searched with ``bisect`` (20 million ids: ~160 MB).

Two different ids share a 64-bit hash with probability about n²/2⁶⁵ (20 million ids:
~1 in 100,000); the cost of such a collision is one vector skipped by the new listing,
which is why the set is used only after a listing has started over.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from array import array
from collections.abc import Iterator
from typing import BinaryIO, Final

from ._limits import MAX_ID_BYTES

__all__ = ["IdHashes", "id_hash", "id_of_line", "iter_lines"]

# Ids sorted into one run at a time: a run's sort holds this many Python ints at once.
_RUN: Final = 1 << 20
_READ_BLOCK: Final = 1 << 20
# An id has at most 64 UTF-8 bytes; escaped as \uXXXX in ASCII JSON, at most 6 bytes each.
_ID_PREFIX: Final = b'{"id": '
_ID_SPAN: Final = len(_ID_PREFIX) + 2 + 6 * MAX_ID_BYTES


def id_hash(vector_id: str) -> int:
    """Return the id's 64-bit hash (BLAKE2b, stable across runs and machines)."""
    digest = hashlib.blake2b(vector_id.encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


class IdHashes:
    """A set of ids kept as 64-bit hashes: ``add`` and ``in``, ~8 bytes an id."""

    def __init__(self) -> None:
        self._runs: list[array[int]] = []
        self._recent: set[int] = set()
        self._count = 0

    def add(self, vector_id: str) -> None:
        """Add one id."""
        value = id_hash(vector_id)
        if value in self._recent or self._in_runs(value):
            return
        self._recent.add(value)
        self._count += 1
        if len(self._recent) >= _RUN:
            self._runs.append(array("Q", sorted(self._recent)))
            self._recent = set()

    def _in_runs(self, value: int) -> bool:
        for run in self._runs:
            at = bisect.bisect_left(run, value)
            if at < len(run) and run[at] == value:
                return True
        return False

    def __contains__(self, vector_id: object) -> bool:
        if not isinstance(vector_id, str):
            return False
        value = id_hash(vector_id)
        return value in self._recent or self._in_runs(value)

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"IdHashes({self._count} ids)"


def iter_lines(file: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """Yield the lines of ``file`` between byte offsets ``start`` and ``end``, with their newline.

    Reads in blocks, so memory is one block and one line whatever the size of the file.
    The last piece has no newline when ``end`` is inside a line.
    """
    file.seek(start)
    left = end - start
    pending = b""
    while left > 0:
        block = file.read(min(_READ_BLOCK, left))
        if not block:
            break
        left -= len(block)
        pieces = (pending + block).split(b"\n")
        pending = pieces.pop()
        for piece in pieces:
            yield piece + b"\n"
    if pending:
        yield pending


def id_of_line(line: bytes) -> str | None:
    """Return the ``id`` of one NDJSON line, or ``None`` when the line is not a vector with an id.

    Lines this package writes start with ``{"id": "…"``: only that prefix is decoded, so
    reading back a file of long vectors costs little more than reading its bytes.
    """
    if line.startswith(_ID_PREFIX):
        try:
            head = line[:_ID_SPAN].decode("ascii")
            value, _ = json.JSONDecoder().raw_decode(head, len(_ID_PREFIX))
        except (UnicodeDecodeError, ValueError):
            pass
        else:
            return value if isinstance(value, str) and value else None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None
