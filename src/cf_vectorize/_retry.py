"""The retry policy: which failures are retried and how long to wait before each retry."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ._errors import APIConnectionError, APIError, APIStatusError

DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5  # seconds, doubled at each retry
MAX_RETRY_DELAY = 8.0  # seconds, cap of the computed backoff
JITTER = 0.25  # the computed backoff is shortened by up to this fraction, at random
# A longer Retry-After than this is not waited out: the error is raised with .retry_after.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable(error: APIError) -> bool:
    """Return whether retrying can help: 408, 409, 429, 5xx, connection errors and timeouts."""
    if isinstance(error, APIStatusError):
        return error.status_code in RETRYABLE_STATUSES or error.status_code >= 500
    return isinstance(error, APIConnectionError)


def parse_retry_after(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """Return the wait asked for by `retry-after-ms` or `Retry-After` (seconds or HTTP date).

    A value that is not a usable wait (NaN, infinite, negative, a date already past, not a
    number or a date at all) counts as absent: None, so the ordinary backoff applies.
    """
    milliseconds = _seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        wait = email.utils.parsedate_to_datetime(value).timestamp() - now()
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return wait if _usable(wait) and wait > 0 else None


def _seconds(value: str | None) -> float | None:
    """Return value as a usable number of seconds, or None."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if _usable(seconds) else None


def _usable(seconds: float) -> bool:
    """Return whether seconds is a finite number, zero or more (NaN compares false)."""
    return 0.0 <= seconds < math.inf


@dataclass(frozen=True)
class RetryPolicy:
    """Decides, after a failed attempt, whether to retry and after how long."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = INITIAL_RETRY_DELAY
    max_delay: float = MAX_RETRY_DELAY
    max_retry_after: float = MAX_RETRY_AFTER
    jitter_source: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, retry: int) -> float:
        """Exponential backoff with jitter for the given retry (0 for the first)."""
        delay = min(self.initial_delay * 2.0**retry, self.max_delay)
        return delay * (1 - JITTER * self.jitter_source())

    def delay(self, error: APIError, retry: int) -> float | None:
        """Return the wait before retry number `retry` (0-based), or None to give up."""
        if retry >= self.max_retries or not is_retryable(error):
            return None
        retry_after = error.retry_after if isinstance(error, APIStatusError) else None
        if retry_after is None or not _usable(retry_after):
            return self.backoff(retry)
        if retry_after > self.max_retry_after:
            return None
        return retry_after
