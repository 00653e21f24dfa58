"""The deadline of the request running on each thread, and the time left before it.

httpx's read timeout restarts with every byte, so a server dripping its answer could hold
a call as long as it liked. `Vectorize` sets the calling thread's deadline for each
attempt; the streams of `DeadlineTransport` (`_transport.py`) clamp every connect, read
and write to the time left. The request runs on the calling thread, with no helper thread
to hand it to: a thread per call cost more than the rest of a small call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class ThreadDeadline(threading.local):
    """The deadline (time.monotonic) of the request running on each thread, if any."""

    at: float | None = None


# One for the process: any DeadlineTransport keeps the deadline of whichever client set it
# on the thread that sends, so a transport built by the caller keeps it too.
calling_thread = ThreadDeadline()


def time_left(timeout: float | None, expired: Callable[[str], Exception]) -> float | None:
    """Return timeout clamped to the calling thread's deadline; raise expired once it passed."""
    at = calling_thread.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the total timeout has passed")
    return left if timeout is None else min(timeout, left)
