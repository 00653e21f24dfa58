"""What tests use to steer and watch the stand-in: injected faults and the requests log.

Both work per route (``get_by_ids``, or any route added to the stand-in), so that a test
can fail one endpoint and watch what every endpoint received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from .._durations import duration_problem
from . import _responses
from ._responses import Answer

__all__ = ["CREDENTIAL_HEADERS", "Faults", "RecordedRequest", "RequestLog"]

# Left out of the log: a log is printed by failing tests, and must not show a secret.
CREDENTIAL_HEADERS: Final = frozenset(
    {"authorization", "x-auth-key", "x-auth-email", "cookie", "proxy-authorization"}
)
_MIN_ERROR_STATUS: Final = 400
_MAX_STATUS: Final = 599


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stand-in received, and the status it answered.

    ``route`` is the endpoint's name (``"get_by_ids"``), or ``None`` for a path that names
    none; ``headers`` are lower-cased and hold no credential; ``body`` is as received.
    """

    method: str
    path: str
    query: str
    route: str | None
    account_id: str | None
    index_name: str | None
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    status: int
    injected: bool  # answered with a fault from fail_next

    @property
    def ids(self) -> list[str] | None:
        """The ``ids`` of a JSON body (a list of strings), else ``None``."""
        try:
            payload = json.loads(self.body)
        except (ValueError, RecursionError):
            return None
        ids = payload.get("ids") if isinstance(payload, dict) else None
        if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
            return ids
        return None

    def json(self) -> object:
        """Return the body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body)


class RequestLog:
    """The requests received, in order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def add(self, request: RecordedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._requests.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """Return the requests received so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget every request received so far."""
        with self._lock:
            self._requests.clear()


@dataclass
class _Fault:
    answer: Answer | float  # an answer, or seconds to wait before answering as usual
    route: str | None
    remaining: int | None  # None: until cleared


def _check_times(times: int | None) -> None:
    if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
        raise TypeError(f"times must be an int or None, got {type(times).__name__}")
    if times is not None and times < 1:
        raise ValueError(f"times must be at least 1, got {times}")


class Faults:
    """Faults waiting to answer the next requests of a route (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Fault] = []
        self._delays: list[_Fault] = []

    def add(
        self,
        status: int,
        *,
        code: int,
        message: str | None = None,
        retry_after: float | str | None = None,
        times: int | None = 1,
        route: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (of ``route``, or any) with this error.

        ``times=None`` answers every request until :meth:`clear`. Faults queue: the first
        added answers first, until used up.
        """
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f"status must be an int, got {type(status).__name__}")
        if not _MIN_ERROR_STATUS <= status <= _MAX_STATUS:
            raise ValueError(f"status must be an error status (400-599), got {status}")
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"code must be an int, got {type(code).__name__}")
        _check_times(times)
        header = _retry_after_header(retry_after)
        if message is None:
            message = _responses.status_phrase(status)
        fault = _Fault(_responses.injected(status, code, message, header), route, times)
        with self._lock:
            self._pending.append(fault)

    def add_delay(self, seconds: float, *, times: int | None = 1, route: str | None = None) -> None:
        """Hold the next ``times`` requests (of ``route``, or any) ``seconds`` before answering.

        The answer then comes as usual (or from a fault). ``times=None``: until :meth:`clear`.
        """
        problem = duration_problem(seconds)
        if problem is not None:
            error = TypeError if problem.startswith("a number") else ValueError
            raise error(f"seconds must be {problem}")
        _check_times(times)
        with self._lock:
            self._delays.append(_Fault(float(seconds), route, times))

    def take(self, route: str) -> Answer | None:
        """Return the fault that answers this request of ``route``, using it up; or ``None``."""
        answer = self._use(self._pending, route)
        assert answer is None or not isinstance(answer, float)  # noqa: S101 (faults hold answers)
        return answer

    def take_delay(self, route: str) -> float:
        """Return the seconds to hold this request of ``route`` (using the delay up), or 0."""
        seconds = self._use(self._delays, route)
        assert seconds is None or isinstance(seconds, float)  # noqa: S101 (delays hold seconds)
        return seconds or 0.0

    def _use(self, pending: list[_Fault], route: str) -> Answer | float | None:
        with self._lock:
            for position, fault in enumerate(pending):
                if fault.route is not None and fault.route != route:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        del pending[position]
                return fault.answer
        return None

    def clear(self) -> None:
        """Drop every fault and delay not yet used."""
        with self._lock:
            self._pending.clear()
            self._delays.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


def _retry_after_header(value: float | str | None) -> str | None:
    if value is None or isinstance(value, str):
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            raise ValueError("retry_after must not hold a line break")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"retry_after must be seconds or a string, got {type(value).__name__}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
