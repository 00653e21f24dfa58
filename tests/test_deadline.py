"""The sync client's total deadline, kept by the socket reads (src/cf_vectorize/_deadline.py)."""

from __future__ import annotations

import threading
import time

import httpcore
import httpx
import pytest

from cf_vectorize._deadline import Deadlines, _time_left, bound_reads


def backend_name(client: httpx.Client) -> str:
    return type(client._transport._pool._network_backend).__name__  # type: ignore[attr-defined]


def test_the_time_left_clamps_the_timeout() -> None:
    deadlines = Deadlines()
    assert _time_left(deadlines, 5.0) == 5.0  # no deadline on this thread
    deadlines.at = time.monotonic() + 100
    assert _time_left(deadlines, 5.0) == 5.0
    left = _time_left(deadlines, None)
    assert left is not None and 0 < left <= 100
    deadlines.at = time.monotonic() + 1
    left = _time_left(deadlines, 5.0)
    assert left is not None and left <= 1


def test_a_passed_deadline_stops_the_read_before_it_starts() -> None:
    deadlines = Deadlines()
    deadlines.at = time.monotonic() - 1
    with pytest.raises(httpcore.ReadTimeout, match="total timeout"):
        _time_left(deadlines, 5.0)


def test_every_pool_of_a_plain_client_is_wrapped() -> None:
    with httpx.Client() as client:
        assert backend_name(client) != "_Backend"
        assert bound_reads(client, Deadlines())
        assert backend_name(client) == "_Backend"


def test_a_transport_it_does_not_know_leaves_everything_as_it_was() -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(mounts={"http://example.com": mock}) as client:
        before = backend_name(client)
        assert bound_reads(client, Deadlines()) is False
        assert backend_name(client) == before


def test_deadlines_are_per_thread() -> None:
    deadlines = Deadlines()
    deadlines.at = 1.0
    seen: list[float | None] = []
    thread = threading.Thread(target=lambda: seen.append(deadlines.at))
    thread.start()
    thread.join()
    assert seen == [None]
