"""The resumable export core, against a fake listing and a fake fetcher.

The fakes keep Cloudflare's documented semantics: a listing is a snapshot taken by its
first page, cursors are opaque and may expire, ids deleted since the snapshot are still
listed and then left out by get_by_ids.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cf_vectorize import APIConnectionError, APIResponseValidationError, BadRequestError
from cf_vectorize._export import ExportProgress, ExportResult, ListedPage, export_index
from cf_vectorize._export_ids import IdHashes, id_of_line, iter_lines
from cf_vectorize._export_state import (
    STATE_SUFFIX,
    ExportState,
    ResumeRefusedError,
    read_state,
    write_state,
)
from cf_vectorize_api.models import Vector

ACCOUNT = "0123456789abcdef0123456789abcdef"
INDEX = "docs"


def _records(count: int, start: int = 0) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for n in range(start, start + count):
        record: dict[str, Any] = {"id": f"v-{n:05d}", "values": [n / 7, -n / 3, 0.1 * n]}
        if n % 2:
            record["metadata"] = {"n": n, "tag": "odd"}
        if n % 3 == 0:
            record["namespace"] = "ns"
        records[record["id"]] = record
    return records


class CursorGone(Exception):
    """What the fake lister raises for an expired or unknown cursor."""


@dataclass
class FakeIndex:
    """A live index, a snapshot lister over it, and a get_by_ids over it."""

    vectors: dict[str, dict[str, Any]]
    page_size: int = 10
    # Cursors of the listings numbered in expiring (0 = the first) expire once that
    # listing has served expire_after pages: they then answer CursorGone.
    expire_after: int | None = None
    expiring: set[int] = field(default_factory=lambda: {0})
    fail_list_at: set[int] = field(default_factory=set)  # 1-based list call numbers
    fail_fetch_at: set[int] = field(default_factory=set)  # 1-based fetch call numbers
    on_fetch: Callable[[int, list[str]], None] | None = None
    list_calls: list[str | None] = field(default_factory=list)
    fetched: list[list[str]] = field(default_factory=list)
    _snapshots: list[list[str]] = field(default_factory=list)
    _served: list[int] = field(default_factory=list)

    def list_page(self, index_name: str, *, cursor: str | None) -> ListedPage:
        assert index_name == INDEX
        self.list_calls.append(cursor)
        if len(self.list_calls) in self.fail_list_at:
            raise APIConnectionError("connection failed: listing (injected)")
        if cursor is None:
            self._snapshots.append(list(self.vectors))
            self._served.append(0)
            listing, offset = len(self._snapshots) - 1, 0
        else:
            try:
                name, listing_text, offset_text = cursor.split(":")
                listing, offset = int(listing_text), int(offset_text)
            except ValueError:
                raise CursorGone(cursor) from None
            if name != "c" or listing >= len(self._snapshots):
                raise CursorGone(cursor)
            if (
                listing in self.expiring
                and self.expire_after is not None
                and self._served[listing] >= self.expire_after
            ):
                raise CursorGone(cursor)
        snapshot = self._snapshots[listing]
        self._served[listing] += 1
        ids = snapshot[offset : offset + self.page_size]
        more = offset + self.page_size < len(snapshot)
        return ListedPage(
            ids=ids,
            next_cursor=f"c:{listing}:{offset + self.page_size}" if more else None,
            total_count=len(snapshot),
            is_truncated=more,
            cursor_expires_at="2999-01-01T00:00:00.123456789+00:00" if more else None,
        )

    def fetch(self, index_name: str, ids: list[str]) -> Iterable[Vector]:
        assert index_name == INDEX
        assert len(ids) <= 20
        self.fetched.append(list(ids))
        if self.on_fetch is not None:
            self.on_fetch(len(self.fetched), ids)
        if len(self.fetched) in self.fail_fetch_at:
            raise APIConnectionError("connection failed: get_by_ids (injected)")
        # Cloudflare documents no order of results: answer in reverse to show it is not used.
        return [Vector.from_dict(self.vectors[i]) for i in reversed(ids) if i in self.vectors]

    def requests(self) -> int:
        return len(self.list_calls) + len(self.fetched)


def _export(index: FakeIndex, out: Path, **options: Any) -> ExportResult:
    options.setdefault("group_size", 20)
    options.setdefault("cursor_refused", lambda error: isinstance(error, CursorGone))
    return export_index(
        INDEX,
        out,
        account_id=ACCOUNT,
        list_page=index.list_page,
        fetch=index.fetch,
        **options,
    )


def _lines(out: Path) -> list[dict[str, Any]]:
    text = out.read_text(encoding="ascii")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _assert_exactly(out: Path, vectors: dict[str, dict[str, Any]]) -> None:
    """Every vector once, as stored (id, values, metadata and namespace only when set)."""
    lines = _lines(out)
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)), "an id was written twice"
    assert {line["id"]: line for line in lines} == vectors


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "docs.ndjson"


def _state(out: Path) -> ExportState:
    state = read_state(out.with_name(out.name + STATE_SUFFIX))
    assert state is not None
    return state


# -- a whole export -------------------------------------------------------------------


def test_export_writes_every_vector_once_as_stored(out: Path) -> None:
    index = FakeIndex(_records(95))
    seen: list[ExportProgress] = []
    result = _export(index, out, on_progress=seen.append)
    _assert_exactly(out, index.vectors)
    assert result.records == 95
    assert result.missing == 0
    assert result.total_count == 95
    assert not result.resumed
    assert not result.already_complete
    # 10 pages of at most 10 ids (and no empty last page), one fetch per page.
    assert len(index.list_calls) == 10
    assert len(index.fetched) == 10
    state = _state(out)
    assert state.complete
    assert state.clean
    assert state.bytes == out.stat().st_size
    assert seen[-1].written == 95
    assert seen[-1].total == 95
    assert [p.written for p in seen] == sorted(p.written for p in seen)


def test_lines_put_id_first_and_leave_out_unset_fields(out: Path) -> None:
    index = FakeIndex(_records(4))
    _export(index, out)
    raw = out.read_bytes().splitlines()
    assert all(line.startswith(b'{"id": "v-') for line in raw)
    by_id = {json.loads(line)["id"]: json.loads(line) for line in raw}
    assert set(by_id["v-00000"]) == {"id", "values", "namespace"}
    assert set(by_id["v-00001"]) == {"id", "values", "metadata"}
    assert set(by_id["v-00002"]) == {"id", "values"}


def test_empty_index_gives_an_empty_complete_export(out: Path) -> None:
    index = FakeIndex({})
    result = _export(index, out)
    assert out.read_bytes() == b""
    assert result.records == 0
    assert _state(out).complete


def test_running_again_after_completion_sends_nothing(out: Path) -> None:
    index = FakeIndex(_records(30))
    _export(index, out)
    before = out.read_bytes()
    index.list_calls.clear()
    index.fetched.clear()
    result = _export(index, out)
    assert result.already_complete
    assert result.records == 30
    assert index.requests() == 0
    assert out.read_bytes() == before


def test_restart_starts_over(out: Path) -> None:
    index = FakeIndex(_records(30))
    _export(index, out)
    del index.vectors["v-00003"]
    result = _export(index, out, restart=True)
    assert not result.resumed
    _assert_exactly(out, index.vectors)


# -- deleted ids ----------------------------------------------------------------------


def test_ids_deleted_after_listing_are_counted_not_errors(out: Path) -> None:
    index = FakeIndex(_records(50))
    gone = ["v-00012", "v-00013", "v-00047"]

    def delete_some(call: int, ids: list[str]) -> None:
        if call == 1:  # after the snapshot, before their pages are fetched
            for vector_id in gone:
                index.vectors.pop(vector_id)

    index.on_fetch = delete_some
    result = _export(index, out)
    assert result.missing == 3
    assert sorted(result.missing_sample) == gone
    _assert_exactly(out, index.vectors)


# -- stopping and resuming ------------------------------------------------------------


def test_failure_on_a_page_then_resume_lists_only_that_page_again(out: Path) -> None:
    index = FakeIndex(_records(95), fail_list_at={4})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    before = out.read_bytes()
    assert len(_lines(out)) == 30  # pages 1-3 written
    state = _state(out)
    assert state.clean
    assert state.bytes == len(before)
    assert state.cursor == "c:0:30"
    result = _export(index, out)
    assert result.resumed
    assert out.read_bytes().startswith(before)
    _assert_exactly(out, index.vectors)
    assert index.list_calls.count("c:0:30") == 2  # the failed call, then the resumed one
    assert len(index.list_calls) == 11
    assert sum(map(len, index.fetched)) == 95  # not one id fetched twice


def test_failure_on_a_fetch_mid_page_then_resume_fetches_only_the_rest(out: Path) -> None:
    index = FakeIndex(_records(95), page_size=50, fail_fetch_at={2})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    before = out.read_bytes()
    assert len(_lines(out)) == 20  # the first group of page 1
    assert _state(out).cursor is None  # page 1 is still in progress
    index.fail_fetch_at.clear()
    result = _export(index, out)
    assert out.read_bytes().startswith(before)
    _assert_exactly(out, index.vectors)
    # The failed group is fetched again, nothing else.
    assert sum(map(len, index.fetched)) == 95 + 20
    assert result.written_this_run == 75


def test_interrupt_mid_page_keeps_every_line_and_resumes(out: Path) -> None:
    index = FakeIndex(_records(95), page_size=50)

    def interrupt(call: int, ids: list[str]) -> None:
        if call == 5:  # page 1 took calls 1-3 (20 + 20 + 10 ids); page 2's second group
            raise KeyboardInterrupt

    index.on_fetch = interrupt
    with pytest.raises(KeyboardInterrupt):
        _export(index, out)
    before = out.read_bytes()
    assert len(_lines(out)) == 70
    assert _state(out).bytes == len(before)
    index.on_fetch = None
    requests_before = index.requests()
    _export(index, out)
    assert out.read_bytes().startswith(before)
    _assert_exactly(out, index.vectors)
    # Resuming lists page 2 again and fetches its 25 ids not written: 20 + 5.
    assert index.requests() - requests_before == 1 + 2


def test_signal_during_a_write_lands_after_the_line(out: Path) -> None:
    """SIGINT while a line is written is deferred until it and its count are done."""
    index = FakeIndex(_records(40), page_size=40)
    real_fetch = index.fetch

    class Signalling(dict[str, Any]):
        """Metadata that sends SIGINT while the line holding it is being encoded."""

        def items(self) -> Any:
            os.kill(os.getpid(), signal.SIGINT)
            return super().items()

    def fetch(index_name: str, ids: list[str]) -> list[Vector]:
        vectors = list(real_fetch(index_name, ids))
        for vector in vectors:
            if vector.id == "v-00025":
                vector.metadata = Signalling(vector.metadata or {})
        return vectors

    with pytest.raises(KeyboardInterrupt):
        export_index(
            INDEX, out, account_id=ACCOUNT, list_page=index.list_page, fetch=fetch, group_size=20
        )
    # The fake answers in reverse: v-00039 ... v-00025 of the second group are written,
    # v-00025's line whole, and the interrupt lands right after it.
    lines = _lines(out)
    assert len(lines) == 20 + 15
    assert lines[-1]["id"] == "v-00025"
    state = _state(out)
    assert state.bytes == out.stat().st_size
    assert state.records == 35
    assert state.clean
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_crash_leftovers_and_a_torn_line_are_cut_on_resume(out: Path) -> None:
    index = FakeIndex(_records(95), fail_list_at={5})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    # What a crash leaves: a periodic checkpoint (clean false), then lines written after
    # it, the last one torn.
    state_file = out.with_name(out.name + STATE_SUFFIX)
    state = _state(out)
    state.clean = False
    write_state(state_file, state)
    committed = out.read_bytes()
    leftovers = b'{"id": "v-00040", "values": [1.0]}\n{"id": "v-00041", "val'
    with out.open("ab") as file:
        file.write(leftovers)
    result = _export(index, out)
    assert result.cut_bytes == len(leftovers)
    assert out.read_bytes().startswith(committed)
    _assert_exactly(out, index.vectors)


# -- expired and refused cursors ------------------------------------------------------


def test_cursor_expiring_mid_listing_starts_a_new_listing_without_repeats(out: Path) -> None:
    index = FakeIndex(_records(95), expire_after=3)
    # Vectors added after the first snapshot show up in the second listing.
    index.vectors.update(_records(0))
    original = dict(index.vectors)

    def insert_late(call: int, ids: list[str]) -> None:
        if call == 2:
            index.vectors.update(_records(5, start=500))

    index.on_fetch = insert_late
    result = _export(index, out)
    assert result.new_listings >= 1
    _assert_exactly(out, {**original, **_records(5, start=500)})
    assert index.list_calls.count(None) == result.new_listings + 1


def test_cursor_expired_by_its_timestamp_is_not_sent_on_resume(out: Path) -> None:
    index = FakeIndex(_records(95), fail_list_at={5})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    state_file = out.with_name(out.name + STATE_SUFFIX)
    state = _state(out)
    stale = state.cursor
    state.cursor_expires_at = "2020-01-01T00:00:00.123456789Z"
    write_state(state_file, state)
    calls_before = len(index.list_calls)
    result = _export(index, out)
    assert stale not in index.list_calls[calls_before:]
    assert index.list_calls[calls_before] is None
    assert result.new_listings == 1
    _assert_exactly(out, index.vectors)


def test_listings_that_keep_losing_their_cursor_end_in_the_error(out: Path) -> None:
    index = FakeIndex(_records(95), expire_after=1, expiring=set(range(100)))
    with pytest.raises(CursorGone):
        _export(index, out)
    # The first listing wrote its first page; three more each lost their cursor at once.
    assert index.list_calls.count(None) == 4
    _assert_exactly(out, {k: index.vectors[k] for k in list(index.vectors)[:10]})


def test_other_errors_on_a_cursor_are_not_taken_for_expiry(out: Path) -> None:
    index = FakeIndex(_records(95), expire_after=3)
    with pytest.raises(CursorGone):
        _export(index, out, cursor_refused=lambda error: isinstance(error, BadRequestError))
    assert index.list_calls.count(None) == 1


# -- refusals -------------------------------------------------------------------------


def _stopped_export(out: Path) -> FakeIndex:
    index = FakeIndex(_records(95), fail_list_at={4})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    index.fail_list_at.clear()
    return index


def _refused(index: FakeIndex, out: Path, **options: Any) -> str:
    state_file = out.with_name(out.name + STATE_SUFFIX)
    output, state = out.read_bytes(), state_file.read_bytes()
    calls = index.requests()
    with pytest.raises(ResumeRefusedError) as caught:
        _export(index, out, **options)
    assert out.read_bytes() == output
    assert state_file.read_bytes() == state
    assert index.requests() == calls
    return str(caught.value)


def test_state_of_another_index_is_refused(out: Path) -> None:
    index = _stopped_export(out)
    state_file = out.with_name(out.name + STATE_SUFFIX)
    state = _state(out)
    state.index = "other-index"
    write_state(state_file, state)
    message = _refused(index, out)
    assert "'other-index'" in message
    assert "--restart" in message


def test_state_of_another_account_is_refused(out: Path) -> None:
    index = _stopped_export(out)
    with pytest.raises(ResumeRefusedError, match="another account"):
        export_index(
            INDEX,
            out,
            account_id="f" * 32,
            list_page=index.list_page,
            fetch=index.fetch,
        )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda data: data[:-10], "bytes"),
        (lambda data: data[:-3] + b"X" + data[-2:], "last written bytes differ"),
        (lambda data: data + b'{"id": "mine", "values": [1]}\n', "added after its end"),
    ],
    ids=["cut", "edited", "appended"],
)
def test_output_changed_in_between_is_refused(
    out: Path, change: Callable[[bytes], bytes], says: str
) -> None:
    index = _stopped_export(out)
    out.write_bytes(change(out.read_bytes()))
    assert says in _refused(index, out)


def test_an_edit_far_from_the_end_shows_when_the_output_is_read_back(out: Path) -> None:
    index = FakeIndex(_records(2000), page_size=1000, expire_after=1)
    index.fail_list_at = {2}
    with pytest.raises(APIConnectionError):
        _export(index, out)
    data = bytearray(out.read_bytes())
    position = data.index(b"0.14285714285714285")  # v-00001's first value, early in the file
    data[position + 2] = ord("2")
    out.write_bytes(bytes(data))
    index.fail_list_at.clear()
    # The resume lists from the stored cursor, which has expired: the new listing reads
    # the output back, and the CRC-32 of the committed bytes no longer matches.
    with pytest.raises(ResumeRefusedError, match="CRC-32"):
        _export(index, out)


def test_existing_file_without_state_is_refused_unless_restart(out: Path) -> None:
    out.write_text("precious\n")
    index = FakeIndex(_records(5))
    with pytest.raises(ResumeRefusedError, match="--restart overwrites it"):
        _export(index, out)
    assert out.read_text() == "precious\n"
    _export(index, out, restart=True)
    _assert_exactly(out, index.vectors)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"version": 99}',
        '{"version": 1, "index": "docs", "account": 3}',
        '{"version": 1, "index": "docs", "account": "a", "missing_sample": [1]}',
        '{"version": 1, "index": "docs", "account": "a", "bytes": -1}',
        '{"version": 1, "index": "docs", "account": "a", "page_start": 9, "bytes": 3}',
        '{"version": 1, "index": "docs", "account": "a", "unknown": 1, "clean": "yes"}',
        "\udcff",
        " " * 70_000 + "{}",
    ],
)
def test_damaged_state_file_is_refused(out: Path, text: str) -> None:
    out.write_text("")
    # surrogateescape: "\udcff" stands for the byte 0xff, not UTF-8
    out.with_name(out.name + STATE_SUFFIX).write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(ResumeRefusedError, match="state"):
        _export(FakeIndex(_records(5)), out)


def test_a_second_export_on_the_same_output_is_refused_while_one_runs(out: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    out.write_text("")
    with out.open("rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        with pytest.raises(ResumeRefusedError, match="another export"):
            _export(FakeIndex(_records(5)), out)


# -- the pieces -----------------------------------------------------------------------


def test_id_hashes_hold_what_was_added() -> None:
    hashes = IdHashes()
    for n in range(3000):
        hashes.add(f"id-{n}")
    hashes.add("id-7")
    assert len(hashes) == 3000
    assert all(f"id-{n}" in hashes for n in range(3000))
    assert not any(f"id-{n}" in hashes for n in range(3000, 6000))
    assert 7 not in hashes


def test_ids_read_back_from_lines_as_written() -> None:
    odd = 'é"\\ \u2028 \U0001f600'
    line = json.dumps({"id": odd, "values": [1.0]}, ensure_ascii=True).encode() + b"\n"
    assert id_of_line(line) == odd
    assert id_of_line(b'{"values": [1], "id": "later"}\n') == "later"
    assert id_of_line(b'{"id": "torn') is None
    assert id_of_line(b"[1, 2]\n") is None
    assert id_of_line(b'{"id": ""}\n') is None


def test_iter_lines_reads_a_byte_range(tmp_path: Path) -> None:
    path = tmp_path / "lines"
    path.write_bytes(b"a\nbb\nccc\ndd")
    with path.open("rb") as file:
        assert list(iter_lines(file, 0, 11)) == [b"a\n", b"bb\n", b"ccc\n", b"dd"]
        assert list(iter_lines(file, 2, 9)) == [b"bb\n", b"ccc\n"]


def test_the_state_file_is_replaced_atomically_and_names_no_account(out: Path) -> None:
    index = FakeIndex(_records(30))
    _export(index, out)
    state_file = out.with_name(out.name + STATE_SUFFIX)
    text = state_file.read_text()
    assert ACCOUNT not in text
    assert not state_file.with_name(state_file.name + ".tmp").exists()
    assert json.loads(text)["records"] == 30


def test_a_state_that_wrote_nothing_does_not_bind_the_output(out: Path) -> None:
    index = FakeIndex(_records(5), fail_list_at={1})
    with pytest.raises(APIConnectionError):
        _export(index, out)
    assert _state(out).bytes == 0
    state_file = out.with_name(out.name + STATE_SUFFIX)
    state = _state(out)
    state.index = "mistyped"
    write_state(state_file, state)
    _export(index, out)
    _assert_exactly(out, index.vectors)
    assert _state(out).index == INDEX


class _Stream:
    """A fetcher's stream: yields some vectors, then fails as a chunk would; records close."""

    def __init__(self, vectors: list[Vector], fail_after: int | None) -> None:
        self._vectors = vectors
        self._fail_after = fail_after
        self.closed = False

    def __iter__(self) -> Any:
        for position, vector in enumerate(self._vectors):
            if position == self._fail_after:
                raise APIConnectionError("connection failed: a chunk (injected)")
            yield vector

    def close(self) -> None:
        self.closed = True


def test_a_stream_that_fails_mid_group_keeps_what_it_gave_and_is_closed(out: Path) -> None:
    index = FakeIndex(_records(95), page_size=50)
    streams: list[_Stream] = []

    def fetch(index_name: str, ids: list[str]) -> _Stream:
        vectors = [Vector.from_dict(index.vectors[i]) for i in ids if i in index.vectors]
        stream = _Stream(vectors, 30 if not streams else None)
        streams.append(stream)
        return stream

    with pytest.raises(APIConnectionError):
        export_index(
            INDEX, out, account_id=ACCOUNT, list_page=index.list_page, fetch=fetch, group_size=50
        )
    assert streams[0].closed
    assert len(_lines(out)) == 30
    export_index(
        INDEX, out, account_id=ACCOUNT, list_page=index.list_page, fetch=fetch, group_size=50
    )
    _assert_exactly(out, index.vectors)
    # The resume asked only for the 20 ids of page 1 not yet written, then page 2.
    assert [len(stream._vectors) for stream in streams] == [50, 20, 45]


def test_vectors_not_asked_for_or_sent_twice_are_not_written(out: Path) -> None:
    index = FakeIndex(_records(30))
    stranger = Vector.from_dict({"id": "not-asked", "values": [1.0]})

    def fetch(index_name: str, ids: list[str]) -> list[Vector]:
        answer = list(index.fetch(index_name, ids))
        return [stranger, *answer, *answer[:3]]

    export_index(INDEX, out, account_id=ACCOUNT, list_page=index.list_page, fetch=fetch)
    _assert_exactly(out, index.vectors)


def test_lines_hold_only_what_an_import_takes(out: Path) -> None:
    """Properties the API may add, and a namespace sent as null, stay out of the row."""
    index = FakeIndex(_records(3))

    def fetch(index_name: str, ids: list[str]) -> list[Vector]:
        return [
            Vector.from_dict({**index.vectors[i], "namespace": None, "extra": 1})
            if i == "v-00001"
            else Vector.from_dict(index.vectors[i])
            for i in ids
        ]

    export_index(INDEX, out, account_id=ACCOUNT, list_page=index.list_page, fetch=fetch)
    by_id = {line["id"]: line for line in _lines(out)}
    assert by_id["v-00001"] == {k: v for k, v in index.vectors["v-00001"].items()}
    assert set(by_id["v-00001"]) == {"id", "values", "metadata"}


def test_a_listing_that_hands_back_its_own_cursor_is_an_error(out: Path) -> None:
    index = FakeIndex(_records(30))

    def stuck(index_name: str, *, cursor: str | None) -> ListedPage:
        page = index.list_page(index_name, cursor=cursor)
        return ListedPage(ids=page.ids, next_cursor=cursor or page.next_cursor, is_truncated=True)

    with pytest.raises(APIResponseValidationError, match="would not advance"):
        export_index(INDEX, out, account_id=ACCOUNT, list_page=stuck, fetch=index.fetch)
    # The first page is written; the second, which hands back its own cursor, is not.
    _assert_exactly(out, {k: index.vectors[k] for k in list(index.vectors)[:10]})
