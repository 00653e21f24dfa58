"""cf-vectorize: a typed Python client for Cloudflare Vectorize get_by_ids.

Usage (the API token and account id may come from the environment instead)::

    from cf_vectorize import ApiToken, Vectorize

    with Vectorize(account_id="…", auth=ApiToken("…")) as client:
        vectors = client.get_by_ids("my-index", ["id-1", "id-2"])
    for vector in vectors:
        print(vector.id, vector.values[:3])
    print(vectors.missing_ids)

`AsyncVectorize` is the same, awaited; README.md has the whole story.
"""

from typing import TYPE_CHECKING

from ._auth import ApiToken, GlobalApiKey
from ._base import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT, Timeout
from ._body import DEFAULT_MAX_RESPONSE_BYTES
from ._client import Vectorize, VectorStream
from ._durations import MAX_SECONDS
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    EventLoopMismatchError,
    InternalServerError,
    InvalidInputError,
    InvalidInputTypeError,
    ListingResumeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    UnprocessableEntityError,
    VectorizeError,
)
from ._limits import MAX_IDS_PER_REQUEST
from ._pacing import DEFAULT_PACING, RateLimit
from ._results import VectorList
from ._retry import DEFAULT_MAX_RETRIES
from ._version import __version__

if TYPE_CHECKING:
    from cf_vectorize_api.models import ResponseInfo, Vector

    from ._async_client import AsyncVectorize, AsyncVectorStream
    from ._transport import DeadlineTransport

del TYPE_CHECKING  # the namespace holds the public names only (see __dir__)

# Loaded on first use, so that `import cf_vectorize` costs little more than `import httpx`:
# the async client brings asyncio, Vector the generated models and attrs, DeadlineTransport
# httpcore (which httpx loads only when it makes a transport). ResponseInfo is the type of an
# APIStatusError's `errors` items.
_LAZY = {
    "AsyncVectorize": "cf_vectorize._async_client",
    "AsyncVectorStream": "cf_vectorize._async_client",
    "DeadlineTransport": "cf_vectorize._transport",
    "ResponseInfo": "cf_vectorize_api.models",
    "Vector": "cf_vectorize_api.models",
}


def __getattr__(name: str) -> object:
    """Import AsyncVectorize, DeadlineTransport, ResponseInfo and Vector when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # noqa: PLC0415 (kept out of the namespace)

    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names (`__all__`) and the module's dunders, not private modules."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_PACING",
    "DEFAULT_TIMEOUT",
    "MAX_IDS_PER_REQUEST",
    "MAX_SECONDS",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "ApiToken",
    "AsyncVectorStream",
    "AsyncVectorize",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineTransport",
    "EventLoopMismatchError",
    "GlobalApiKey",
    "InternalServerError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "ListingResumeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ResponseInfo",
    "ResponseTooLargeError",
    "Timeout",
    "UnprocessableEntityError",
    "Vector",
    "VectorList",
    "VectorStream",
    "Vectorize",
    "VectorizeError",
    "__version__",
]
