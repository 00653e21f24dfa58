"""The batching plan of a streamed fetch, as decisions both clients drive (no I/O here).

Ids are drawn from the caller's iterable as needed and cut into chunks of at most 20. A
chunk may start when fewer than `concurrency` are in flight and it lies within the reorder
window (`window` chunks from the first not yet delivered), so a slow chunk holds back at
most that many finished ones and memory stays flat whatever the number of ids. Finished
chunks are delivered in the order asked: their vectors in the order of their ids, the ids
not found added to `missing_ids` (or handed to `on_missing` at their place). When a chunk
fails for good nothing more starts, the chunks before it still in flight are awaited and
delivered, and then its error is raised naming in `unfetched_ids` its ids and every id
drawn after them; a plan given `drawn` (a stream of the caller's ids) draws nothing more,
and says in `resume_from` where the caller's ids stop being drawn, so that a failure costs
no memory beyond the window; without it (ids the caller holds whole anyway) the rest is
drawn and named too. Closing, an interrupt or a bug ends the fetch at once.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._errors import APIError, InvalidInputError, InvalidInputTypeError, VectorizeError
from ._limits import MAX_IDS_PER_REQUEST
from ._results import mark_unfetched
from ._validation import Drawn

if TYPE_CHECKING:  # the generated package loads with the first answer, not with the package
    from cf_vectorize_api.models import Vector


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


# What `Plan.pop` returns when it has no vector to give.
WAIT: Final = _Marker("WAIT")  # a chunk in flight must settle first
END: Final = _Marker("END")  # every chunk is delivered


@dataclass(frozen=True)
class Chunk:
    """One request's worth of ids; `alone` when nothing else is in flight or still to come."""

    seq: int
    ids: list[str]
    alone: bool


Outcome = list["Vector"] | BaseException


class Plan:
    """Which chunk to start next, and what to deliver, in order, as chunks settle."""

    def __init__(
        self,
        ids: Iterator[str],
        *,
        concurrency: int,
        window: int | None = None,
        drawn: Drawn | None = None,
        on_missing: Callable[[str], object] | None = None,
    ) -> None:
        self._ids = ids
        # Given, the ids not found wait in _ready at their place in the order asked, and are
        # handed to it there instead of being kept: memory stays flat however many are missing.
        self._on_missing = on_missing
        self._drawn = drawn  # None: name every id not delivered, drawing what is left
        self._bad_input: VectorizeError | None = None
        self._concurrency = concurrency
        self._window = window or 2 * concurrency
        self._next: list[str] | None = self._draw()
        self._started = 0  # seq of the next chunk to start
        self._head = 0  # seq of the next chunk to deliver
        self._in_flight: dict[int, list[str]] = {}
        self._settled: dict[int, tuple[list[str], Outcome]] = {}
        self._ready: deque[Vector | str] = deque()  # a str: an id not found (on_missing)
        self._error: BaseException | None = None
        self._abandoned = False
        self._failing = False  # a chunk failed for good: start nothing more
        self.missing_ids: list[str] = []  # without on_missing
        self.missing_count = 0
        self.ids_done = 0  # ids delivered: found or missing

    def _draw(self) -> list[str] | None:
        """Draw the next chunk; a bad id ends the ids, to be raised once all before it is out."""
        chunk: list[str] = []
        try:
            chunk.extend(itertools.islice(self._ids, MAX_IDS_PER_REQUEST))
        except (InvalidInputError, InvalidInputTypeError) as error:
            self._bad_input = error
            self._ids = iter(())
        return chunk or None

    @property
    def in_flight(self) -> int:
        """Chunks started and not settled."""
        return len(self._in_flight)

    def pop(self, start: Callable[[Chunk], None]) -> Vector | _Marker:
        """Return the next vector due, or WAIT or END; first hand `start` what may start.

        A chunk starts at once while another is in flight (so requests overlap the caller's
        work), otherwise only when no vector is waiting to be popped: `start` may run its
        chunk before it returns (a client running it inline), and vectors already due must
        not wait for that. Raises the first failure once everything due before it is out.
        An id not found reaches on_missing here, when its turn comes in the order asked.
        """
        while True:
            while (
                not self._abandoned and self._error is None and (self._in_flight or not self._ready)
            ):
                chunk = self._startable()
                if chunk is None:
                    break
                start(chunk)
            if self._abandoned:
                return END
            if not self._ready:
                break
            item = self._ready.popleft()
            if not isinstance(item, str):
                return item
            if self._on_missing is not None:  # always: only with it is a str put there
                self._on_missing(item)
        if self._error is not None:
            raise self._failure()
        if self._in_flight:
            return WAIT
        if self._bad_input is not None:
            raise self._bad_input
        return END

    def _startable(self) -> Chunk | None:
        if (
            self._next is None
            or self._failing
            or len(self._in_flight) >= self._concurrency
            or self._started - self._head >= self._window
        ):
            return None
        ids, seq = self._next, self._started
        self._next = self._draw()
        self._started += 1
        self._in_flight[seq] = ids
        return Chunk(seq, ids, alone=not self._in_flight.keys() - {seq} and self._next is None)

    def settle(self, seq: int | None, outcome: Outcome) -> None:
        """Record how chunk `seq` ended; None for a failure of the whole fetch (closed).

        A chunk failing for good (an APIError) stops new starts; the chunks before it still
        in flight are waited for and delivered, and the error is raised when its turn comes,
        so that it names exactly that chunk's ids and all after. Anything else (closing,
        a bug) is raised at the next pop.
        """
        fatal = not isinstance(outcome, list) and not isinstance(outcome, APIError)
        if seq is None or fatal:
            self._error = self._error or outcome  # type: ignore[assignment]
            return
        if seq not in self._in_flight:
            return
        self._settled[seq] = (self._in_flight.pop(seq), outcome)
        if isinstance(outcome, APIError):
            self._failing = True
        while self._error is None and self._head in self._settled:
            asked, answer = self._settled[self._head]
            if isinstance(answer, BaseException):
                self._error = answer
                break
            del self._settled[self._head]
            self._deliver(asked, answer)
            self._head += 1

    def _deliver(self, asked: list[str], vectors: list[Vector]) -> None:
        found = {vector.id: vector for vector in vectors}
        missing = self._ready if self._on_missing is not None else self.missing_ids
        for vector_id in asked:
            vector = found.get(vector_id)
            if vector is None:
                missing.append(vector_id)
                self.missing_count += 1
            else:
                self._ready.append(vector)
        self.ids_done += len(asked)

    def _failure(self) -> BaseException:
        """Return the first failure; an APIError names every asked id not delivered."""
        error = self._error
        assert error is not None  # noqa: S101 (only called once one is recorded)
        if isinstance(error, APIError) and not error.unfetched_ids:
            drawn = self._drawn
            if drawn is None:
                mark_unfetched(error, list(self.undelivered(draw_rest=True)))
            else:
                unfetched = list(self.undelivered(draw_rest=False))
                # A bad id ended the drawing early: its end was not reached either.
                ended = drawn.ended and self._bad_input is None
                mark_unfetched(error, unfetched, None if ended else drawn.count)
        return error

    def undelivered(self, *, draw_rest: bool) -> Iterator[str]:
        """Every drawn id not delivered, in order; then, if draw_rest, the caller's others."""
        pending = {**self._in_flight, **{seq: ids for seq, (ids, _) in self._settled.items()}}
        for seq in sorted(pending):
            yield from pending[seq]
        if self._next is not None:
            yield from self._next
            self._next = None
        rest = self._draw() if draw_rest else None
        while rest is not None:
            yield from rest
            rest = self._draw()

    def abandon(self) -> None:
        """Forget every chunk in flight: nothing more starts and nothing more is delivered."""
        self._abandoned = True
        self._ready.clear()
        self._in_flight.clear()
