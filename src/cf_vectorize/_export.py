"""Export a whole index to NDJSON, resumably: list ids page by page, fetch, append, checkpoint.

The loop, for each page of ids the listing gives:
1. fetch the page's ids not yet written, a group at a time (the fetcher batches and paces);
2. append each vector as one line ``{"id", "values", "metadata"?, "namespace"?}``;
3. checkpoint (output fsynced, then the state file replaced) every ``checkpoint_every``
   seconds, at the end of each page, and whenever the export stops (Ctrl-C, an error).
A resume reopens the output at the committed size, reads back the ids of the page in
progress (at most one page of lines) and lists that page again from its cursor, skipping
them. When a cursor has expired or is refused, a new listing starts and every id already
written (read back from the output into an :class:`IdHashes`) is skipped.

Signals: writes and checkpoints run shielded from SIGINT (and from SIGTERM when it has a
Python handler), so an interrupt lands between lines, never inside one; the state then
records exactly what is on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Protocol

from ._errors import APIResponseValidationError
from ._export_ids import IdHashes, id_of_line, iter_lines
from ._export_state import (
    MAX_MISSING_SAMPLE,
    ExportState,
    ResumeRefusedError,
    account_fingerprint,
    read_state,
    remove_state,
    state_path,
    tail_digest,
    write_state,
)

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector

__all__ = [
    "DEFAULT_CHECKPOINT_SECONDS",
    "ExportProgress",
    "ExportResult",
    "ListedPage",
    "PageLister",
    "VectorFetcher",
    "export_index",
]

DEFAULT_CHECKPOINT_SECONDS: Final = 1.0
# Ids fetched between two looks at the clock: the fetcher's 20-id chunks, 8 at once.
DEFAULT_GROUP_SIZE: Final = 160
# New listings in a row, each lost (cursor expired or refused) before it got to an id not
# yet written, after which the cursor's error is raised.
MAX_FRUITLESS_LISTINGS: Final = 3
# Vectors of a streamed group between two progress reports (and looks at the clock).
_PROGRESS_EVERY: Final = 100


@dataclass(frozen=True)
class ListedPage:
    """One page of a listing: its ids, and how to get the next page."""

    ids: Sequence[str]
    next_cursor: str | None
    total_count: int | None = None
    is_truncated: bool = False
    cursor_expires_at: str | None = None

    @property
    def is_last(self) -> bool:
        """No page follows (the API's rule: not truncated, or no cursor to go on with)."""
        return not self.is_truncated or not self.next_cursor


class PageLister(Protocol):
    """Lists one page of an index's ids: the first page when ``cursor`` is None."""

    def __call__(self, index_name: str, *, cursor: str | None) -> ListedPage: ...


class VectorFetcher(Protocol):
    """Fetches vectors by id; ids not returned are taken as deleted since listed.

    A list, or a stream (an iterable with ``close()``, closed when the export stops).
    """

    def __call__(self, index_name: str, ids: list[str]) -> Iterable[Vector]: ...


@dataclass(frozen=True)
class ExportProgress:
    """Where an export stands: vectors written, ids gone, the index's total if known."""

    written: int
    missing: int
    total: int | None
    written_at_start: int

    @property
    def done(self) -> int:
        """Ids dealt with: written, or found gone."""
        return self.written + self.missing


@dataclass(frozen=True)
class ExportResult:
    """How an export run ended (it raised otherwise)."""

    output: Path
    records: int
    missing: int
    missing_sample: tuple[str, ...]
    total_count: int | None
    written_this_run: int
    resumed: bool
    already_complete: bool
    new_listings: int
    cut_bytes: int


_Handler = Callable[[int, FrameType | None], Any]


class _Shield:
    """Defers SIGINT (and a Python-handled SIGTERM) while a line or a checkpoint is written.

    Installed only on the main thread (signals are delivered there, and only there can a
    handler be set); elsewhere it does nothing and the caller owns interruption.
    """

    _SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._depth = 0
        self._pending: tuple[_Handler, int, FrameType | None] | None = None
        self._saved: dict[int, _Handler] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number in self._SIGNALS:
            previous = signal.getsignal(number)
            if callable(previous):
                self._saved[number] = previous
                signal.signal(number, self._handle)

    def uninstall(self) -> None:
        for number, previous in self._saved.items():
            signal.signal(number, previous)
        self._saved.clear()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        previous = self._saved[number]
        if self._depth:
            self._pending = (previous, number, frame)
            return
        previous(number, frame)

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._pending is not None:
                handler, number, frame = self._pending
                self._pending = None
                handler(number, frame)


def _line(vector: Vector) -> bytes:
    """Return the vector as an import row: id first, metadata and namespace only when set.

    Built field by field rather than by ``to_dict()``: properties the API may add, or a
    namespace it sent as null, would make the row one that importers refuse.
    """
    record: dict[str, Any] = {"id": vector.id, "values": vector.values}
    if vector.metadata is not None:
        record["metadata"] = vector.metadata
    if vector.namespace is not None:
        record["namespace"] = vector.namespace
    # ASCII escapes: the file is valid whatever reads it, and ids read back cheaply.
    return json.dumps(record, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"


def _expired(timestamp: str | None, now: datetime) -> bool:
    """Whether an RFC 3339 expiry (any fractional digits) is past; False if unreadable."""
    if not timestamp:
        return False
    try:
        # fromisoformat reads Z and any number of fractional digits (as the listing does),
        # not RFC 3339's lowercase z.
        when = datetime.fromisoformat(timestamp.strip().replace("z", "Z"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= now


def _lock(file: BinaryIO, output: Path) -> None:
    """Hold an exclusive lock on the output while exporting: two runs would interleave."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; elsewhere the lock is skipped
    except ImportError:
        return
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise ResumeRefusedError(
            f"another export is writing {output} (it holds the file's lock)"
        ) from None


class _Run:
    """One run of an export: open and check, then the page loop, then the last checkpoint."""

    def __init__(
        self,
        *,
        index_name: str,
        account_id: str,
        output: Path,
        list_page: PageLister,
        fetch: VectorFetcher,
        cursor_refused: Callable[[BaseException], bool],
        group_size: int,
        checkpoint_every: float,
        on_progress: Callable[[ExportProgress], None],
        on_notice: Callable[[str], None],
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        self._index = index_name
        self._account = account_fingerprint(account_id)
        self._output = output
        self._state_path = state_path(output)
        self._list_page = list_page
        self._fetch = fetch
        self._cursor_refused = cursor_refused
        self._group_size = group_size
        self._checkpoint_every = checkpoint_every
        self._on_progress = on_progress
        self._notice = on_notice
        self._clock = clock
        self._now = now
        self._shield = _Shield()
        self._state = ExportState(index=index_name, account=self._account)
        self._file: BinaryIO | None = None
        self._writing = False
        self._last_checkpoint = clock()
        self._page_written: set[str] = set()
        self._page_missing: list[str] = []
        self._seen: IdHashes | None = None
        self._at_start = 0
        self._new_listings = 0
        self._fruitless_listings = 0
        self._cut = 0

    # -- opening ------------------------------------------------------------------------

    def open(self, *, restart: bool) -> bool:
        """Open the output, check it against its state; return whether this resumes."""
        if restart:
            remove_state(self._state_path)
        handle = os.open(self._output, os.O_RDWR | os.O_CREAT, 0o666)
        self._file = os.fdopen(handle, "r+b", buffering=1 << 20)
        _lock(self._file, self._output)
        size = os.fstat(handle).st_size
        if restart:
            self._file.truncate(0)
            size = 0
        state = read_state(self._state_path)
        if state is not None and state.bytes == 0 and size == 0 and not state.complete:
            # Nothing was written under that state (its first request failed, say, on a
            # mistyped index name): there is nothing to protect, so start afresh.
            state = None
        if state is None:
            if size:
                raise ResumeRefusedError(
                    f"{self._output} exists ({size} bytes) and has no export state "
                    f"({self._state_path.name}): --restart overwrites it"
                )
            self._state = ExportState(index=self._index, account=self._account)
            return False
        self._check(state, size)
        self._state = state
        return True

    def _check(self, state: ExportState, size: int) -> None:
        """Refuse a state of another export, or an output changed since it was written."""
        again = "use --restart to start over (the output is then overwritten)"
        if state.index != self._index:
            raise ResumeRefusedError(
                f"{self._state_path} belongs to an export of index {state.index!r}, "
                f"not {self._index!r}: {again}, or choose another --out"
            )
        if state.account != self._account:
            raise ResumeRefusedError(
                f"{self._state_path} belongs to an export from another account: {again}, "
                "or choose another --out"
            )
        changed = f"{self._output} was changed since the export stopped"
        if size < state.bytes:
            raise ResumeRefusedError(
                f"{changed}: it has {size} bytes, the export had written {state.bytes}; {again}"
            )
        assert self._file is not None  # noqa: S101 - opened by open()
        if tail_digest(self._file, state.bytes) != state.tail_sha256:
            raise ResumeRefusedError(f"{changed}: its last written bytes differ; {again}")
        if size > state.bytes:
            if state.clean:
                raise ResumeRefusedError(
                    f"{changed}: {size - state.bytes} bytes were added after its end; {again}"
                )
            # Written after the last checkpoint by a run that then died: unverified, and
            # maybe a torn line. Cut; the page in progress is fetched again from its cursor.
            self._file.truncate(state.bytes)
            self._cut = size - state.bytes

    # -- checkpoints --------------------------------------------------------------------

    def _checkpoint(self, *, clean: bool) -> None:
        """Make the output durable, then record it in the state file."""
        file = self._file
        assert file is not None  # noqa: S101 - opened by open()
        with self._shield():
            file.flush()
            os.fsync(file.fileno())
            state = self._state
            state.tail_sha256 = tail_digest(file, state.bytes)
            file.seek(state.bytes)
            state.clean = clean
            write_state(self._state_path, state)
            self._last_checkpoint = self._clock()

    def _maybe_checkpoint(self) -> None:
        if self._clock() - self._last_checkpoint >= self._checkpoint_every:
            self._checkpoint(clean=False)

    # -- reading back -------------------------------------------------------------------

    def _read_back(self, start: int, *, verify: bool) -> Iterator[str]:
        """Ids of the committed lines from ``start``; with ``verify``, check the CRC-32."""
        file = self._file
        assert file is not None  # noqa: S101 - opened by open()
        state = self._state
        crc = 0
        changed = (
            f"{self._output} was changed since the export stopped: "
            "use --restart to start over (the output is then overwritten)"
        )
        for line in iter_lines(file, start, state.bytes):
            if verify:
                crc = zlib.crc32(line, crc)
            vector_id = id_of_line(line)
            if vector_id is None or not line.endswith(b"\n"):
                raise ResumeRefusedError(f"{changed} (a line without a vector id)")
            yield vector_id
        if verify and crc != state.crc32:
            raise ResumeRefusedError(f"{changed} (its CRC-32 differs)")
        file.seek(state.bytes)

    def _build_seen(self) -> IdHashes:
        started = self._clock()
        seen = IdHashes()
        for vector_id in self._read_back(0, verify=True):
            seen.add(vector_id)
        self._notice(
            f"read back {len(seen)} ids already written "
            f"({self._state.bytes} bytes, {self._clock() - started:.1f} s)"
        )
        return seen

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        """Export until the listing ends; checkpoint whatever way it stops."""
        self._shield.install()
        try:
            self._at_start = self._state.records
            self._checkpoint(clean=False)  # from here on, bytes past the state are leftovers
            try:
                self._loop()
            except BaseException:
                if not self._writing:  # else the buffer's state is unknown: keep the last one
                    with contextlib.suppress(OSError):
                        self._checkpoint(clean=True)
                raise
        finally:
            self._shield.uninstall()

    def _loop(self) -> None:
        state = self._state
        if state.listing_start > 0:
            self._seen = self._build_seen()
        self._page_written = set(self._read_back(state.page_start, verify=False))
        if state.cursor is not None and _expired(state.cursor_expires_at, self._now()):
            self._new_listing(f"the cursor expired at {state.cursor_expires_at}")
        self._progress()
        while True:
            try:
                page = self._list_page(self._index, cursor=state.cursor)
            except Exception as error:
                if state.cursor is None or not self._cursor_refused(error):
                    raise
                # Listings that keep losing their cursor before they reach an id not yet
                # written would go round for ever: give up after a few.
                if self._fruitless_listings >= MAX_FRUITLESS_LISTINGS:
                    raise
                self._new_listing(f"the cursor was refused ({error})")
                continue
            if page.next_cursor is not None and page.next_cursor == state.cursor:
                # The same page again and again: a listing that cannot end.
                raise APIResponseValidationError(
                    "list-vectors answered a cursor with a page that gives the same cursor "
                    "back: the listing would not advance",
                    status_code=200,
                )
            state.total_count = page.total_count
            self._export_page(page)
            self._end_page(page)
            if state.complete:
                return

    def _export_page(self, page: ListedPage) -> None:
        seen = self._seen
        todo = [
            vector_id
            for vector_id in dict.fromkeys(page.ids)
            if vector_id not in self._page_written and (seen is None or vector_id not in seen)
        ]
        for start in range(0, len(todo), self._group_size):
            self._export_group(todo[start : start + self._group_size])
            self._progress()
            self._maybe_checkpoint()

    def _export_group(self, group: list[str]) -> None:
        """Fetch a group and append each vector as it comes (a stream keeps what it got)."""
        asked = set(group)
        vectors = self._fetch(self._index, group)
        try:
            for count, vector in enumerate(vectors, start=1):
                with self._shield():
                    self._writing = True
                    self._write(vector, asked)
                    self._writing = False
                if count % _PROGRESS_EVERY == 0:
                    self._progress()
                    self._maybe_checkpoint()
        finally:
            close = getattr(vectors, "close", None)
            if callable(close):  # a stream: stop what it has in flight
                close()
        self._page_missing += [i for i in group if i not in self._page_written]
        self._fruitless_listings = 0  # a group holds only ids not yet written: progress

    def _write(self, vector: Vector, asked: set[str]) -> None:
        vector_id = vector.id
        if vector_id not in asked or vector_id in self._page_written:
            return  # not asked for, or sent twice: never written twice
        file = self._file
        assert file is not None  # noqa: S101 - opened by open()
        state = self._state
        line = _line(vector)
        file.write(line)
        state.bytes += len(line)
        state.records += 1
        state.crc32 = zlib.crc32(line, state.crc32)
        self._page_written.add(vector_id)
        if self._seen is not None:
            self._seen.add(vector_id)

    def _end_page(self, page: ListedPage) -> None:
        state = self._state
        with self._shield():
            self._settle_missing()
            if page.is_last:
                state.complete = True
                state.cursor = None
                state.cursor_expires_at = None
            else:
                state.cursor = page.next_cursor
                state.cursor_expires_at = page.cursor_expires_at
            state.page_start = state.bytes
            self._page_written = set()
            self._checkpoint(clean=state.complete)

    def _settle_missing(self) -> None:
        state = self._state
        state.missing += len(self._page_missing)
        room = MAX_MISSING_SAMPLE - len(state.missing_sample)
        state.missing_sample += self._page_missing[: max(room, 0)]
        self._page_missing = []

    def _new_listing(self, why: str) -> None:
        state = self._state
        self._notice(f"{why}: listing the index again; the {state.records} vectors written stay")
        with self._shield():
            self._settle_missing()
            state.cursor = None
            state.cursor_expires_at = None
            state.page_start = state.bytes
            state.listing_start = state.bytes
            state.listings += 1
            self._page_written = set()
            self._checkpoint(clean=False)
        self._new_listings += 1
        self._fruitless_listings += 1
        self._seen = self._build_seen() if state.bytes else None

    def _progress(self) -> None:
        state = self._state
        self._on_progress(
            ExportProgress(
                written=state.records,
                missing=state.missing + len(self._page_missing),
                total=state.total_count,
                written_at_start=self._at_start,
            )
        )

    def result(self, *, resumed: bool, already_complete: bool) -> ExportResult:
        """How the run ended."""
        state = self._state
        return ExportResult(
            output=self._output,
            records=state.records,
            missing=state.missing,
            missing_sample=tuple(state.missing_sample),
            total_count=state.total_count,
            written_this_run=state.records - self._at_start,
            resumed=resumed,
            already_complete=already_complete,
            new_listings=self._new_listings,
            cut_bytes=self._cut,
        )

    def close(self) -> None:
        """Close the output (its lock goes with it)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    @property
    def complete(self) -> bool:
        """Whether the state says the export has finished."""
        return self._state.complete


def export_index(
    index_name: str,
    output: str | os.PathLike[str],
    *,
    account_id: str,
    list_page: PageLister,
    fetch: VectorFetcher,
    cursor_refused: Callable[[BaseException], bool] = lambda error: False,
    restart: bool = False,
    group_size: int = DEFAULT_GROUP_SIZE,
    checkpoint_every: float = DEFAULT_CHECKPOINT_SECONDS,
    on_progress: Callable[[ExportProgress], None] = lambda progress: None,
    on_notice: Callable[[str], None] = lambda text: None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ExportResult:
    """Export every vector of ``index_name`` to ``output`` (NDJSON), resuming a stopped export.

    ``list_page`` and ``fetch`` do the requests (with their retries and pacing);
    ``cursor_refused`` says whether an error of ``list_page`` on a cursor means "list
    again from the start". Raises ResumeRefusedError when the state file beside the
    output belongs to another export or the output changed; OSError when the output
    cannot be written; whatever the two callables raise, after a checkpoint.
    """
    if group_size < 1 or not checkpoint_every >= 0:
        raise ValueError("group_size must be at least 1 and checkpoint_every not negative")
    run = _Run(
        index_name=index_name,
        account_id=account_id,
        output=Path(output),
        list_page=list_page,
        fetch=fetch,
        cursor_refused=cursor_refused,
        group_size=group_size,
        checkpoint_every=checkpoint_every,
        on_progress=on_progress,
        on_notice=on_notice,
        clock=clock,
        now=now,
    )
    try:
        resumed = run.open(restart=restart)
        if run.complete:
            return run.result(resumed=True, already_complete=True)
        run.run()
        return run.result(resumed=resumed, already_complete=False)
    finally:
        run.close()
