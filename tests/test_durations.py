"""Every duration setting is bounded: a timeout or window too large for the platform's timers
(inf, 1e10) is refused up front, typed, never a bare OverflowError from a socket or a lock."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    MAX_SECONDS,
    ApiToken,
    AsyncVectorize,
    InvalidInputError,
    InvalidInputTypeError,
    RateLimit,
    Timeout,
    Vectorize,
    _client,
)
from cf_vectorize.testing import VectorizeServer
from tests.clientkit import ACCOUNT, TOKEN, refuse

TOO_LONG: list[Any] = [math.inf, 1e10, 10**400, MAX_SECONDS + 1]
OUT_OF_RANGE: list[Any] = [*TOO_LONG, math.nan, -math.inf, -1, 0]
REFUSED = "must be more than 0 and at most 86400 seconds \\(one day\\)"
IDS = [f"id-{n:03d}" for n in range(45)]  # three requests
WAIT = 60  # seconds; a bound on subprocess runs, never an expected duration


def _settings() -> dict[str, Any]:
    return {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None}


def test_the_bound_is_one_day() -> None:
    assert MAX_SECONDS == 86_400


@pytest.mark.parametrize("seconds", OUT_OF_RANGE)
def test_a_client_timeout_out_of_range_is_refused(seconds: float) -> None:
    for make in (Vectorize, AsyncVectorize):
        with pytest.raises(InvalidInputError, match=f"^timeout {REFUSED}"):
            make(timeout=seconds, **_settings())


@pytest.mark.parametrize("seconds", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["total", "connect"])
def test_a_timeout_field_out_of_range_is_refused(field: str, seconds: float) -> None:
    with pytest.raises(InvalidInputError, match=f"^Timeout {field} {REFUSED}"):
        Timeout(**{field: seconds})


@pytest.mark.parametrize("value", ["5", None, True, [1.0]])
def test_a_timeout_field_that_is_no_number_is_a_type_error(value: object) -> None:
    with pytest.raises(InvalidInputTypeError, match="Timeout total must be a number of seconds"):
        Timeout(total=value)  # type: ignore[arg-type]


def test_an_enormous_int_is_described_not_printed() -> None:
    with pytest.raises(InvalidInputError) as refused:
        Timeout(total=10**5000)  # its str() alone would raise ValueError
    assert str(refused.value).endswith("not an int of about 5000 digits")


def _sync_calls(client: Vectorize, timeout: float) -> list[Callable[[], object]]:
    return [
        lambda: client.get_by_ids("my-index", ["a"], timeout=timeout),
        lambda: client.get_by_ids("my-index", IDS, timeout=timeout),
        lambda: client.iter_by_ids("my-index", IDS, timeout=timeout),
        lambda: client.list_ids("my-index", timeout=timeout),
        lambda: client.list_page("my-index", timeout=timeout),
    ]


@pytest.mark.parametrize("timeout", TOO_LONG)
def test_a_per_call_timeout_out_of_range_is_refused_before_anything_is_sent_sync(
    timeout: float,
) -> None:
    with Vectorize(transport=httpx.MockTransport(refuse), **_settings()) as client:
        for call in _sync_calls(client, timeout):
            with pytest.raises(InvalidInputError, match=f"^timeout {REFUSED}"):
                call()


@pytest.mark.parametrize("timeout", TOO_LONG)
def test_a_per_call_timeout_out_of_range_is_refused_before_anything_is_sent_async(
    timeout: float,
) -> None:
    async def run() -> int:
        refused = 0
        async with AsyncVectorize(transport=httpx.MockTransport(refuse), **_settings()) as client:
            calls: list[Callable[[], Awaitable[object]]] = [
                lambda: client.get_by_ids("my-index", ["a"], timeout=timeout),
                lambda: client.get_by_ids("my-index", IDS, timeout=timeout),
                lambda: client.list_page("my-index", timeout=timeout),
            ]
            for call in calls:
                with pytest.raises(InvalidInputError, match=f"^timeout {REFUSED}"):
                    await call()
                refused += 1
            with pytest.raises(InvalidInputError, match=f"^timeout {REFUSED}"):
                client.iter_by_ids("my-index", IDS, timeout=timeout)
            with pytest.raises(InvalidInputError, match=f"^timeout {REFUSED}"):
                client.list_ids("my-index", timeout=timeout)
        return refused + 2

    assert asyncio.run(run()) == 5


def test_the_longest_timeout_allowed_works_sync_and_async() -> None:
    """One day: the deadline it makes stays within every socket and lock wait."""
    longest = Timeout(total=MAX_SECONDS, connect=MAX_SECONDS)
    with VectorizeServer() as server:
        with server.client(timeout=MAX_SECONDS) as client:
            assert [v.id for v in client.get_by_ids("sample", ["doc-001"])] == ["doc-001"]
            assert [v.id for v in client.iter_by_ids("sample", ["doc-001"], timeout=longest)] == [
                "doc-001"
            ]

        async def run() -> list[str]:
            async with server.async_client(timeout=longest) as client:
                found = await client.get_by_ids("sample", ["doc-001"], timeout=MAX_SECONDS)
                return [v.id for v in found]

        assert asyncio.run(run()) == ["doc-001"]


@pytest.mark.parametrize("per_seconds", OUT_OF_RANGE)
def test_a_rate_limit_window_out_of_range_is_refused(per_seconds: float) -> None:
    with pytest.raises(InvalidInputError, match=f"^RateLimit per_seconds {REFUSED}"):
        RateLimit(10, per_seconds)


@pytest.mark.parametrize(
    ("requests", "per_seconds", "error", "says"),
    [
        (0, 1.0, InvalidInputError, "RateLimit requests must be at least 1, not 0"),
        (1.5, 1.0, InvalidInputTypeError, "RateLimit requests must be an int, not float"),
        (True, 1.0, InvalidInputTypeError, "RateLimit requests must be an int, not bool"),
        (1, "1", InvalidInputTypeError, "RateLimit per_seconds must be a number of seconds"),
    ],
)
def test_a_rate_limit_of_the_wrong_kind_is_refused(
    requests: Any,
    per_seconds: Any,
    error: type[Exception],
    says: str,
) -> None:
    with pytest.raises(error, match=says):
        RateLimit(requests, per_seconds)


def test_a_rate_limit_error_is_still_a_value_error() -> None:
    """What RateLimit raised before it raised typed errors: callers catching it still do."""
    with pytest.raises(ValueError, match="per_seconds"):
        RateLimit(1, math.inf)


@pytest.mark.parametrize(
    ("pacing", "says"),
    [(5, "not int"), ([5], "not a sequence holding int"), ("1200/300", "not str")],
)
def test_pacing_that_is_no_rate_limit_is_refused(pacing: Any, says: str) -> None:
    for make in (Vectorize, AsyncVectorize):
        with pytest.raises(InvalidInputTypeError, match=f"pacing must be a RateLimit.*{says}"):
            make(account_id=ACCOUNT, auth=ApiToken(TOKEN), pacing=pacing)


@pytest.mark.parametrize("pacing", [None, [], RateLimit(1, MAX_SECONDS), [RateLimit(2, 1.0)]])
def test_usable_pacing_is_accepted(pacing: Any) -> None:
    Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), pacing=pacing).close()


@pytest.mark.parametrize("name", ["timeout", "request_timeout"])
@pytest.mark.parametrize("seconds", TOO_LONG)
def test_the_stand_ins_limits_out_of_range_are_refused(name: str, seconds: float) -> None:
    with pytest.raises(ValueError, match=f"^{name} {REFUSED}"):
        VectorizeServer(**{name: seconds})  # type: ignore[arg-type]


# --- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize("seconds", ["1e10", "inf", "nan", "0", "86401"])
@pytest.mark.parametrize("command", ["get-by-ids", "export"])
def test_the_cli_refuses_a_timeout_out_of_range_in_one_line(
    command: str, seconds: str, tmp_path: Path
) -> None:
    out = ["--out", str(tmp_path / "x")]
    target = ["big", "v000001"] if command == "get-by-ids" else ["big", *out]
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT, "PATH": ""}
    finished = subprocess.run(
        [sys.executable, "-m", "cf_vectorize", command, *target, f"--timeout={seconds}"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
        env=env,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert "Traceback" not in finished.stderr
    errors = [line for line in finished.stderr.splitlines() if "error:" in line]
    assert errors == [
        f"cf-vectorize {command}: error: argument --timeout: must be more than 0 and at most "
        f"86400 seconds (one day), got {seconds}"
    ]
    assert not (tmp_path / "x").exists()


class _FakeWaits(threading.Event):
    """An event whose waits pass at once, moving a fake clock on instead."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        self.now += timeout
        return self.is_set()


def test_a_sync_wait_longer_than_the_bound_is_made_of_waits_within_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pacing reservations of many threads may add up past one day: no single wait does."""
    event = _FakeWaits()
    monkeypatch.setattr(_client, "time", SimpleNamespace(monotonic=lambda: event.now))
    _client._wait(event, 3 * MAX_SECONDS + 5)
    assert event.waits == [MAX_SECONDS, MAX_SECONDS, MAX_SECONDS, 5]
    event.set()
    event.waits.clear()
    _client._wait(event, 3 * MAX_SECONDS)  # stopped: ends at the first wait
    assert event.waits == [MAX_SECONDS]
