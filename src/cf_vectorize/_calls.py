"""One API request with retries, written once as decisions that both clients drive.

The shape is httpx's auth flow: `Attempts` says what to do next (pace, send, wait, done)
and the sync or async client does it, then reports back. Adding an operation takes an
`ApiRequest` (how to build the request, how to read its answer) and nothing else: pacing,
retries, timeouts and typed errors come with the driver.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._errors import APIConnectionError, APIError, APITimeoutError, ClientClosedError
from ._retry import RetryPolicy

if TYPE_CHECKING:
    from ._base import Timeout
    from ._pacing import Pacer

logger = logging.getLogger("cf_vectorize")

T = TypeVar("T")


@dataclass(frozen=True)
class ApiRequest(Generic[T]):
    """One request of an operation: httpx's build_request arguments and the answer's reader.

    `parse(status_code, headers, body)` returns the result or raises one of our typed errors.
    """

    what: str  # for log lines, as "get_by_ids my-index (20 ids)"
    args: dict[str, Any]
    parse: Callable[[int, Mapping[str, str], bytes], T]


class Pace:
    """Step: wait for the pacer's next send time."""


@dataclass(frozen=True)
class Send:
    """Step: send the request once and report the result or the APIError."""


@dataclass(frozen=True)
class Wait:
    """Step: wait this many seconds before the next attempt."""

    seconds: float


@dataclass(frozen=True)
class Done(Generic[T]):
    """Step: the request succeeded with value."""

    value: T


Step = Pace | Send | Wait | Done[T]
Action = Pace | Send | Wait  # the steps a driver does
PACE, SEND = Pace(), Send()


def seconds_to_wait(step: Pace | Wait, pacer: Pacer) -> float:
    """Return how long a pace or wait step waits; a pace reserves its send time."""
    return pacer.delay() if isinstance(step, Pace) else step.seconds


@dataclass(frozen=True)
class CallSettings:
    """What one call may override of its client's settings."""

    policy: RetryPolicy
    timeout: Timeout


@dataclass
class Attempts(Generic[T]):
    """The retry loop of one request: pace, send, and on a retryable failure wait and again.

    A driver does each `step()` until it gives None, handing `report()` what the step gave
    (None for a pace or a wait; the value or the APIError of a send); then `value` holds
    the result. `step()` raises the error when the policy gives up.
    """

    request: ApiRequest[T]
    policy: RetryPolicy
    retry: int = 0
    _last: Step[T] | None = field(default=None, repr=False)
    _outcome: T | APIError | None = field(default=None, repr=False)

    def report(self, outcome: object) -> None:
        """Record what the last step gave."""
        self._outcome = outcome  # type: ignore[assignment]  # the driver's own T or error

    def step(self) -> Action | None:
        """Return the next step, or None once the request has succeeded."""
        self._last = self._next()
        return None if isinstance(self._last, Done) else self._last

    @property
    def value(self) -> T:
        """The result, once `step()` has returned None."""
        if not isinstance(self._last, Done):
            raise RuntimeError("the request has not succeeded")  # a driver's bug
        return self._last.value

    def _next(self) -> Step[T]:
        if self._last is None or isinstance(self._last, Wait):
            return PACE
        if self._last is PACE:
            return SEND
        outcome = self._outcome
        if not isinstance(outcome, APIError):
            return Done(outcome)  # type: ignore[arg-type]  # a send's value is a T
        delay = self.policy.delay(outcome, self.retry)
        if delay is None:
            logger.debug(
                "%s: giving up after %d attempt(s): %s", self.request.what, self.retry + 1, outcome
            )
            raise outcome
        logger.debug(
            "%s: %s; retry %d in %.2f s", self.request.what, outcome, self.retry + 1, delay
        )
        self.retry += 1
        return Wait(delay)


@dataclass
class Exchange:
    """What error mapping may need of the response being read."""

    response: httpx.Response | None = None


@contextmanager
def mapped_errors(total: float, deadline: float, closed: Callable[[], bool]) -> Iterator[Exchange]:
    """Turn what httpx (or the total timeout) raises during one attempt into our typed errors.

    `closed` says whether the client was closed meanwhile: then whatever broke the attempt
    is reported as ClientClosedError, not as the broken connection it left behind.
    """
    exchange = Exchange()
    try:
        yield exchange
    except (httpx.TransportError, TimeoutError, RuntimeError) as error:
        if closed():
            raise ClientClosedError("the client was closed while the call was in flight") from None
        timed_out = isinstance(error, httpx.TimeoutException)
        if isinstance(error, TimeoutError) or (timed_out and time.monotonic() >= deadline):
            # asyncio.timeout ran out, or a read clamped to the deadline did.
            raise APITimeoutError(
                f"no complete answer within {total:g} s (total timeout)"
            ) from error
        if timed_out:
            raise APITimeoutError(f"request timed out: {error}") from error
        if isinstance(error, httpx.TransportError):
            raise APIConnectionError(f"connection failed: {error}") from error
        raise  # a RuntimeError of an open client is a bug: let it out
    except httpx.DecodingError as error:  # from a transport that decodes what it receives
        # (the body itself is read raw and decoded by _body, which raises our own errors)
        raise APIConnectionError(f"the response did not decode: {error}") from error
