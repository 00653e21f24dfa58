"""Vectors as one NumPy float32 matrix: the `numpy` extra (`pip install cf-vectorize[numpy]`).

from cf_vectorize.numpy import get_matrix
matrix = get_matrix(client, "my-index", ids)   # matrix.values[i] is the vector of matrix.ids[i]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

try:
    import numpy as np
    from numpy.typing import NDArray
except ImportError as error:  # pragma: no cover (the extra is installed wherever tests run)
    raise ImportError(
        "cf_vectorize.numpy needs NumPy: pip install 'cf-vectorize[numpy]'"
    ) from error

from ._errors import InvalidInputError

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector

    from ._async_client import AsyncVectorize
    from ._client import Vectorize


class Matrix(NamedTuple):
    """The vectors found, as rows: `values[i]` holds the vector whose id is `ids[i]`."""

    ids: tuple[str, ...]
    values: NDArray[np.float32]
    missing_ids: tuple[str, ...]


def values_matrix(vectors: Sequence[Vector], dimensions: int | None = None) -> NDArray[np.float32]:
    """Return the values of vectors as a (len(vectors), dimensions) float32 matrix, in order.

    Every vector must have the same number of values (`dimensions`, when given). With no
    vectors the matrix has no rows, and `dimensions` (else 0) columns.
    """
    lengths = {len(vector.values) for vector in vectors}
    if dimensions is not None:
        lengths.add(dimensions)
    if len(lengths) > 1:
        raise InvalidInputError(
            f"vectors of different dimensions cannot form a matrix: {sorted(lengths)}"
        )
    width = lengths.pop() if lengths else 0
    if not vectors:
        return np.empty((0, width), dtype=np.float32)
    # One C-level conversion of the nested lists; Cloudflare stores float32, so no loss.
    return np.array([vector.values for vector in vectors], dtype=np.float32)


def _matrix(vectors: Iterable[Vector], missing_ids: Sequence[str]) -> Matrix:
    vectors = list(vectors)
    return Matrix(
        ids=tuple(vector.id for vector in vectors),
        values=values_matrix(vectors),
        missing_ids=tuple(missing_ids),
    )


def get_matrix(
    client: Vectorize, index_name: str, ids: Iterable[str], *, max_retries: int | None = None
) -> Matrix:
    """Fetch ids with `client.get_by_ids` and return the vectors found as a Matrix."""
    found = client.get_by_ids(index_name, ids, max_retries=max_retries)
    return _matrix(found, found.missing_ids)


async def aget_matrix(
    client: AsyncVectorize,
    index_name: str,
    ids: Iterable[str],
    *,
    max_retries: int | None = None,
) -> Matrix:
    """Fetch ids with `await client.get_by_ids` and return the vectors found as a Matrix."""
    found = await client.get_by_ids(index_name, ids, max_retries=max_retries)
    return _matrix(found, found.missing_ids)
