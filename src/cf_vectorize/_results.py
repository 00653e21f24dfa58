"""Batching ids into requests, and putting the answers back in the order asked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ._errors import APIError

if TYPE_CHECKING:  # not at run time: `import cf_vectorize` does not load attrs (import time)
    from cf_vectorize_api.models import Vector


class VectorList(list["Vector"]):
    """The vectors found, in the order their ids were asked for (duplicates removed).

    Unknown ids are left out, as the API does; `missing_ids` names them, in order.
    """

    def __init__(self, vectors: Iterable[Vector] = (), missing_ids: Iterable[str] = ()) -> None:
        super().__init__(vectors)
        self.missing_ids: tuple[str, ...] = tuple(missing_ids)

    def __repr__(self) -> str:
        # Summarised as numpy does: a repr of every vector of a large fetch would take seconds
        # (asyncio.run calls repr on the result of main) and drown a REPL or a log line.
        vectors = _summary(self, "[]", "vectors")
        return f"VectorList({vectors}, missing_ids={_summary(self.missing_ids, '()', 'ids')})"


EDGE_ITEMS = 3  # items a repr shows at each end of a long sequence, as numpy does


def _summary(items: Sequence[object], brackets: str, noun: str) -> str:
    """Return the repr of a short list or tuple; of a long one, its ends and its length."""
    if len(items) <= 2 * EDGE_ITEMS:
        return repr(list(items)) if brackets == "[]" else repr(tuple(items))
    head = ", ".join(map(repr, items[:EDGE_ITEMS]))
    tail = ", ".join(map(repr, items[-EDGE_ITEMS:]))
    return f"{brackets[0]}{head}, ..., {tail}{brackets[1]} ({len(items)} {noun})"


def in_order(asked: Sequence[str], vectors: Iterable[Vector]) -> VectorList:
    """Return the vectors found in the order their ids were asked; the others as missing_ids."""
    found = {vector.id: vector for vector in vectors}
    ordered: list[Vector] = []
    missing: list[str] = []
    for vector_id in asked:
        vector = found.get(vector_id)
        if vector is None:
            missing.append(vector_id)
        else:
            ordered.append(vector)
    return VectorList(ordered, missing)


def mark_unfetched(
    error: APIError, unfetched: Sequence[str], resume_from: int | None = None
) -> APIError:
    """Record on error the ids a batched call did not fetch, and say so in its notes.

    `resume_from`: the items of `ids` a stream took, when it left the rest undrawn.
    """
    error.unfetched_ids = tuple(unfetched)
    error.resume_from = resume_from
    if unfetched:
        shown = ", ".join(repr(i) for i in unfetched[:5]) + (", …" if len(unfetched) > 5 else "")
        error.add_note(f"{len(unfetched)} requested id(s) were not fetched: {shown}")
    if resume_from is not None:
        error.add_note(
            f"ids after the first {resume_from} of ids were not drawn (nor fetched): "
            "continue from error.resume_from"
        )
    return error
