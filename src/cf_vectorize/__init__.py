"""cf-vectorize: a typed Python client for Cloudflare Vectorize get_by_ids.

from cf_vectorize import Vectorize, ApiToken
with Vectorize(account_id="…", auth=ApiToken("…")) as client:
vectors = client.get_by_ids("my-index", ["id-1", "id-2"])
"""

from cf_vectorize_api.models import Vector

from ._async_client import AsyncVectorize
from ._auth import ApiToken, GlobalApiKey
from ._base import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT, Timeout
from ._client import Vectorize
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidInputTypeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VectorizeError,
)
from ._pacing import DEFAULT_PACING, RateLimit
from ._results import MAX_IDS_PER_REQUEST, VectorList
from ._retry import DEFAULT_MAX_RETRIES
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_PACING",
    "DEFAULT_TIMEOUT",
    "MAX_IDS_PER_REQUEST",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "ApiToken",
    "AsyncVectorize",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "GlobalApiKey",
    "InternalServerError",
    "InvalidInputError",
    "InvalidInputTypeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "Timeout",
    "UnprocessableEntityError",
    "Vector",
    "VectorList",
    "Vectorize",
    "VectorizeError",
    "__version__",
]
