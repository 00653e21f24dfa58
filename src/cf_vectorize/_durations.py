"""The one bound on every duration setting: timeouts, rate-limit windows, the stand-in's limits.

A number of seconds too large for the platform's timers (`math.inf`, `1e10`) is not refused
by Python until a socket, select or lock is handed it, deep in a request, as a bare
OverflowError. Every setting that becomes such a wait is checked here first, so that it is
refused up front, as a typed error of its caller's (the client's InvalidInputError, the
CLI's usage error, the stand-in's ValueError).
"""

from __future__ import annotations

import math
from typing import Final

from ._errors import InvalidInputError, InvalidInputTypeError

MAX_SECONDS: Final = 86_400.0
"""The longest duration a setting may take: one day.

Every network wait has a limit, so "no limit" spelt as a number (`math.inf`) is refused
rather than accepted; and a single request attempt, a rate-limit window or a stand-in's
connection limit of more than a day is a mistake. One day is far below what any platform's
timers take (`threading.TIMEOUT_MAX` is about 49.7 days on Windows and 292 years on 64-bit
Linux, where a socket timeout or select overflows past about 9.2e9 s), so even waits that
add up, such as the pacing reservations of many threads, stay clear of them.
"""

MAX_SECONDS_TEXT: Final = f"{MAX_SECONDS:g} seconds (one day)"

_SHOWN_INT_LIMIT: Final = 10**30  # beyond it an int is described, not printed (see _shown)


def duration_problem(value: object, *, zero_allowed: bool = False) -> str | None:
    """Say what is wrong with value as a number of seconds, or return None when it is usable.

    Usable: an int or a float (not a bool), greater than 0 (or 0 when `zero_allowed`) and at
    most MAX_SECONDS; NaN is refused as well. The words complete "<name> must be ...".
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"a number of seconds, not {type(value).__name__}"
    in_range = (value >= 0 if zero_allowed else value > 0) and value <= MAX_SECONDS
    if in_range:  # NaN compares false both ways
        return None
    low = "0 or more" if zero_allowed else "more than 0"
    return f"{low} and at most {MAX_SECONDS_TEXT}, not {_shown(value)}"


def _shown(value: float) -> str:
    """Return value for a message; an enormous int is described, not printed in full.

    Its repr could run to thousands of digits, or be refused by Python's limit on
    converting an int to text.
    """
    if isinstance(value, int) and abs(value) >= _SHOWN_INT_LIMIT:
        return f"an int of about {round(value.bit_length() * math.log10(2))} digits"
    return repr(value)


def check_duration(name: str, seconds: object) -> None:
    """Refuse a duration of the client's (a timeout, a RateLimit window) outside (0, MAX_SECONDS].

    InvalidInputError for a number out of range, InvalidInputTypeError for anything else.
    """
    problem = duration_problem(seconds)
    if problem is None:
        return
    raise _duration_error(seconds)(f"{name} must be {problem}")


def _duration_error(value: object) -> type[InvalidInputError | InvalidInputTypeError]:
    """Return the error refusing value as a duration: typed by what is wrong with it."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return InvalidInputError if is_number else InvalidInputTypeError
