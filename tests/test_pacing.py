"""Pacing keeps every sliding window within its limit; a long fetch slows down, never fails."""

from __future__ import annotations

import pytest

from cf_vectorize import DEFAULT_PACING, RateLimit
from cf_vectorize._pacing import QUICK_ROUND_TRIP, Pacer, paced_duration, pacing_delay
from tests.clientkit import Runner, Server, found


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(limits: RateLimit | list[RateLimit], count: int) -> list[float]:
    time = FakeTime()
    pacer = Pacer(limits, clock=time.clock)
    times = []
    for _ in range(count):
        time.sleep(pacer.delay())
        times.append(time.now)
    return times


def within(times: list[float], limit: RateLimit) -> bool:
    """Every window of per_seconds holds at most `requests` send times."""
    return all(
        sum(1 for t in times if start <= t < start + limit.per_seconds) <= limit.requests
        for start in times
    )


def test_burst_goes_at_once_then_paced() -> None:
    times = send_times(RateLimit(3, 10.0), 7)
    assert times == [0, 0, 0, 10, 10, 10, 20]


def test_default_pacing_is_cloudflares_limits() -> None:
    assert set(DEFAULT_PACING) == {RateLimit(1200, 300.0), RateLimit(200, 1.0)}


def test_default_pacing_keeps_both_windows_over_a_long_fetch() -> None:
    times = send_times(list(DEFAULT_PACING), 2600)
    for limit in DEFAULT_PACING:
        assert within(times, limit)
    assert times[199] == 0 and times[200] == 1.0  # 200 per second per IP
    assert times[1199] < 300 <= times[1200]  # 1200 per 300 s per user
    assert 600 <= times[-1] < 602  # the last 200 go in the third 300 s window


def test_no_pacing_never_sleeps() -> None:
    assert send_times([], 5000) == [0.0] * 5000


@pytest.mark.parametrize(("requests", "seconds"), [(0, 1.0), (1, 0.0), (-1, 5.0)])
def test_bad_limits_are_refused(requests: int, seconds: float) -> None:
    with pytest.raises(ValueError, match=r"RateLimit (requests|per_seconds) must be"):
        RateLimit(requests, seconds)


def test_the_paced_duration_is_the_last_send_time() -> None:
    assert paced_duration(RateLimit(3, 10.0), 7) == send_times(RateLimit(3, 10.0), 7)[-1]
    assert paced_duration(None, 5000) == 0.0
    # 100,000 ids are 5,000 requests: the last goes out 20 minutes in at Cloudflare's limits.
    assert paced_duration(DEFAULT_PACING, 5000) == send_times(list(DEFAULT_PACING), 5000)[-1]
    assert paced_duration(DEFAULT_PACING, 5000) == 1200.0


def test_the_pacing_delay_is_what_pacing_adds_to_the_fetchs_own_pace() -> None:
    # 1,200 requests: the last goes out 5 s in (200 / s), but 8 in flight at a quick round
    # trip send them no faster (160 / s, the last 7.45 s in): pacing adds nothing.
    assert pacing_delay(DEFAULT_PACING, 1200, 8) == pytest.approx((7.45, 0.0))
    # The 1,201st waits for the first 300 s window to pass.
    paced, delay = pacing_delay(DEFAULT_PACING, 1201, 8)
    assert paced == 300.0
    assert delay == pytest.approx(300.0 - 150 * QUICK_ROUND_TRIP)
    # 100 in flight: 200 / s holds 1,200 requests back (each second's 200 go out as two
    # rounds of 100, the last at 5.05 s) against 0.55 s unpaced: 4.5 s, not worth a notice.
    assert pacing_delay(DEFAULT_PACING, 1200, 100) == pytest.approx((5.05, 4.5))
    assert pacing_delay(None, 5000, 8) == pytest.approx((624 * QUICK_ROUND_TRIP, 0.0))
    assert pacing_delay(DEFAULT_PACING, 0, 8) == (0.0, 0.0)


def test_clients_pace_their_requests(runner: Runner) -> None:
    """100 ids under a limit of 2 requests per 10 s: 5 requests, slept 10 s twice."""
    server = Server([found()])
    ids = [f"id-{n}" for n in range(100)]
    result = runner.get(server, "my-index", ids, pacing=RateLimit(2, 10.0), max_concurrency=1)
    assert len(result) == 100 and len(server.requests) == 5
    assert sorted(runner.slept) == pytest.approx([10.0, 10.0, 20.0], abs=0.5)
