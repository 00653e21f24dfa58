"""Client-side pacing, so that long fetches stay within Cloudflare's rate limits.

Cloudflare allows 1200 requests per 300 s per user (and 200 per second per IP); past
that it answers 429 for a while. A pacer reserves a send time for each request so that
no sliding window ever holds more requests than its limit: short bursts go at once, a
long fetch slows down to the sustained rate instead of failing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from ._durations import check_duration
from ._errors import InvalidInputError, InvalidInputTypeError


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` requests in any window of `per_seconds` seconds.

    `requests` is an int of at least 1; `per_seconds` more than 0 and at most one day
    (`MAX_SECONDS`): a longer window would make waits no timer of the platform takes.
    """

    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if isinstance(self.requests, bool) or not isinstance(self.requests, int):
            raise InvalidInputTypeError(
                f"RateLimit requests must be an int, not {type(self.requests).__name__}"
            )
        if self.requests < 1:
            raise InvalidInputError(f"RateLimit requests must be at least 1, not {self.requests}")
        check_duration("RateLimit per_seconds", self.per_seconds)


# Cloudflare's documented global limit, and its per-IP limit.
DEFAULT_PACING: tuple[RateLimit, ...] = (RateLimit(1200, 300.0), RateLimit(200, 1.0))

Pacing = RateLimit | Sequence[RateLimit] | None


class _Schedule:
    """Send times reserved so far, the most recent `requests` of them for each limit."""

    def __init__(self, limits: Sequence[RateLimit]) -> None:
        self._windows = [(limit, deque[float](maxlen=limit.requests)) for limit in limits]
        self._last = float("-inf")

    def reserve(self, now: float) -> float:
        """Reserve the earliest send time at or after now that keeps every limit."""
        at = max(now, self._last)  # reservations stay in order, so each deque stays sorted
        changed = True
        while changed:
            changed = False
            for limit, sent in self._windows:
                if len(sent) == limit.requests and sent[0] + limit.per_seconds > at:
                    at = sent[0] + limit.per_seconds
                    changed = True
        for _, sent in self._windows:
            sent.append(at)
        self._last = at
        return at


def _limits(pacing: Pacing) -> tuple[RateLimit, ...]:
    """Return the rate limits of pacing; anything but RateLimits or None is refused."""
    if pacing is None:
        return ()
    if isinstance(pacing, RateLimit):
        return (pacing,)
    if isinstance(pacing, Sequence) and not isinstance(pacing, str | bytes):
        limits = tuple(pacing)
        wrong = [type(limit).__name__ for limit in limits if not isinstance(limit, RateLimit)]
        if not wrong:
            return limits
        what = f"a sequence holding {wrong[0]}"
    else:
        what = type(pacing).__name__
    raise InvalidInputTypeError(
        f"pacing must be a RateLimit, a sequence of them, or None, not {what}"
    )


class Pacer:
    """Reserves send times for one client (thread-safe); the client waits out each delay.

    It only decides: waiting is the client's, so that a sync client can wait on an event
    that cancelling or closing sets, and an async client on a cancellable sleep.
    """

    def __init__(self, pacing: Pacing, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = _limits(pacing)
        self._schedule = _Schedule(self._limits) if self._limits else None
        self._clock = clock
        self._lock = threading.Lock()

    def delay(self) -> float:
        """Reserve the next send time; return how long to wait for it (0 when at once)."""
        if self._schedule is None:
            return 0.0
        with self._lock:
            now = self._clock()
            return max(self._schedule.reserve(now) - now, 0.0)


def paced_duration(pacing: Pacing, requests: int) -> float:
    """Return when the last of `requests` requests may be sent, from a standing start."""
    limits = _limits(pacing)
    if not limits or requests <= 0:
        return 0.0
    schedule = _Schedule(limits)
    at = 0.0
    for _ in range(requests):
        at = schedule.reserve(0.0)
    return at


# The quickest round trip a fetch is assumed to make without pacing: the low end of the usual
# 50-150 ms to Cloudflare's API. Assuming it quick errs toward saying that pacing delays a
# fetch: over a slower link the fetch is slower anyway, and pacing costs it less.
QUICK_ROUND_TRIP: Final = 0.05


def pacing_delay(pacing: Pacing, requests: int, concurrency: int) -> tuple[float, float]:
    """Return when the last of `requests` requests goes out paced, and how much later that is.

    Later than without pacing, that is, when `concurrency` requests are in flight at once and
    each takes QUICK_ROUND_TRIP: the fetch's own pace, modelled as one more rate limit. Only
    the difference is pacing's doing: 1,200 requests at Cloudflare's limits go out over 5 s,
    and take as long unpaced at 8 in flight.
    """
    if requests <= 0:
        return 0.0, 0.0
    own = RateLimit(concurrency, QUICK_ROUND_TRIP)
    unpaced = (-(-requests // concurrency) - 1) * QUICK_ROUND_TRIP
    paced = paced_duration((*_limits(pacing), own), requests)
    return paced, max(paced - unpaced, 0.0)
