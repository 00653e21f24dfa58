"""The state file of an export: where it stopped, and proof that the output is as it left it.

It sits beside the output (``FILE.export-state``), is small JSON, and is replaced
atomically (written to a temporary file, fsynced, renamed over, directory fsynced) after
the output itself is fsynced: the state never claims bytes that are not on disk.

What it checks on a resume, cheaply and without reading the whole output:
- the index and the account (a hash of the account id: the state file need not name it);
- the output's committed size: shorter means the output was cut or rewritten;
- a SHA-256 of the last 64 KiB of the committed bytes: an edit or a replaced file shows;
- a CRC-32 of all the committed bytes, checked whenever the output is read through anyway
  (when a listing starts over).
Bytes past the committed size are a crash's leftovers when the last checkpoint was a
periodic one (``clean`` false): they are cut. After a clean stop there can be none, so
any means someone appended to the file: refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, Final

from ._errors import VectorizeError

__all__ = [
    "STATE_SUFFIX",
    "ExportState",
    "ResumeRefusedError",
    "account_fingerprint",
    "read_state",
    "remove_state",
    "state_path",
    "tail_digest",
    "write_state",
]

STATE_SUFFIX: Final = ".export-state"
STATE_VERSION: Final = 1
TAIL_BYTES: Final = 64 * 1024
# A state holds a cursor, ten ids and a few numbers: anything far larger is not one.
MAX_STATE_BYTES: Final = 64 * 1024
# Ids kept in the state to name in the report; the count is always exact.
MAX_MISSING_SAMPLE: Final = 10


class ResumeRefusedError(VectorizeError):
    """An export cannot continue from its state file; nothing was sent or changed.

    The state belongs to another index or account, the output changed since, or the state
    file is unreadable. ``--restart`` starts over.
    """


def account_fingerprint(account_id: str) -> str:
    """Return a short hash naming the account without writing its id into the state file."""
    return hashlib.sha256(account_id.encode()).hexdigest()[:16]


def tail_digest(file: BinaryIO, end: int) -> str:
    """SHA-256 of the last TAIL_BYTES bytes before offset ``end`` (all of them when fewer)."""
    start = max(0, end - TAIL_BYTES)
    file.seek(start)
    data = file.read(end - start)
    return hashlib.sha256(data).hexdigest()


@dataclass
class ExportState:
    """Everything a resume needs; all offsets are bytes of the output file."""

    index: str
    account: str
    format: str = "ndjson"
    # The committed output: its size, vectors, and fingerprints.
    bytes: int = 0
    records: int = 0
    crc32: int = 0
    tail_sha256: str = field(default_factory=lambda: hashlib.sha256(b"").hexdigest())
    # False while checkpoints are periodic; true after a stop that committed everything.
    clean: bool = True
    complete: bool = False
    # The listing: the cursor that lists the page in progress (None: its first page),
    # when that cursor expires, and where the page's and the listing's lines start.
    cursor: str | None = None
    cursor_expires_at: str | None = None
    page_start: int = 0
    listing_start: int = 0
    listings: int = 1
    total_count: int | None = None
    # Ids listed but gone when fetched, on finished pages (and a few of them by name).
    missing: int = 0
    missing_sample: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """Return the state as the file holds it."""
        return json.dumps({"version": STATE_VERSION, **asdict(self)}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: str) -> ExportState:
        """Parse a state file's text; ResumeRefusedError when it is not one."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ResumeRefusedError(f"{where} is not an export state file: {error}") from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ResumeRefusedError(
                f"{where} is not an export state file of this version ({STATE_VERSION})"
            )
        values: dict[str, Any] = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        try:
            state = cls(**values)
        except TypeError as error:
            raise ResumeRefusedError(f"{where} is damaged: {error}") from None
        problem = state._problem()
        if problem:
            raise ResumeRefusedError(f"{where} is damaged: {problem}")
        return state

    def _problem(self) -> str | None:  # noqa: PLR0911 - one answer per field checked
        if not isinstance(self.index, str) or not isinstance(self.account, str):
            return "index or account is not a string"
        counters = (self.bytes, self.records, self.crc32, self.page_start, self.listing_start)
        if not all(_count(v) for v in counters):
            return "an offset or count is not a non-negative integer"
        if not (self.listing_start <= self.page_start <= self.bytes):
            return "offsets out of order"
        if not _count(self.missing) or not _count(self.listings):
            return "missing or listings is not a non-negative integer"
        if self.total_count is not None and not _count(self.total_count):
            return "total_count is not a non-negative integer"
        if not isinstance(self.clean, bool) or not isinstance(self.complete, bool):
            return "clean or complete is not a boolean"
        if not all(v is None or isinstance(v, str) for v in (self.cursor, self.cursor_expires_at)):
            return "cursor or cursor_expires_at is not a string"
        if not isinstance(self.tail_sha256, str):
            return "tail_sha256 is not a string"
        sample = self.missing_sample
        if not isinstance(sample, list) or not all(isinstance(i, str) for i in sample):
            return "missing_sample is not a list of ids"
        if self.format != "ndjson":
            return f"unknown format {self.format!r}"
        return None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def state_path(output: Path) -> Path:
    """Return the state file of the output ``output``."""
    return output.with_name(output.name + STATE_SUFFIX)


def read_state(path: Path) -> ExportState | None:
    """Return the state in ``path``, or None when there is none."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ResumeRefusedError(f"cannot read {path}: {error}") from None
    if len(data) > MAX_STATE_BYTES:
        raise ResumeRefusedError(
            f"{path} is not an export state file: over {MAX_STATE_BYTES} bytes"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ResumeRefusedError(f"{path} is not an export state file: {error}") from None
    return ExportState.from_json(text, str(path))


def write_state(path: Path, state: ExportState) -> None:
    """Replace the state file atomically and durably."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(state.to_json())
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def remove_state(path: Path) -> None:
    """Remove the state file (and a temporary one left by a crash)."""
    for stale in (path, path.with_name(path.name + ".tmp")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory is; not every system can open one.
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
