"""Batching ids into requests, and putting the answers back in the order asked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not at run time: `import cf_vectorize` does not load attrs (issue 7)
    from cf_vectorize_api.models import Vector

# Cloudflare answers a 21st id with HTTP 400, code 40007 (undocumented; seen in practice).
MAX_IDS_PER_REQUEST = 20


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


def chunks(ids: list[str], size: int = MAX_IDS_PER_REQUEST) -> list[list[str]]:
    """Split ids into consecutive lists of at most size ids."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def in_order(wanted: list[str], answers: Iterable[Iterable[Vector]]) -> VectorList:
    """Return the vectors of answers in the order of wanted, naming the ids not found."""
    found = {vector.id: vector for answer in answers for vector in answer}
    return VectorList(
        (found[vector_id] for vector_id in wanted if vector_id in found),
        (vector_id for vector_id in wanted if vector_id not in found),
    )
