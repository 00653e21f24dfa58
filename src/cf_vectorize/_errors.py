"""The one exception tree of cf_vectorize.

    VectorizeError
    ├── InvalidInputError (ValueError)         bad argument, caught before anything is sent
    ├── InvalidInputTypeError (TypeError)      argument of the wrong type, likewise
    ├── ConfigurationError                     missing credential or account id, bad proxy/CA
    ├── ClientClosedError (RuntimeError)       the client was closed before or during the call
    ├── EventLoopMismatchError (RuntimeError)  an AsyncVectorize used from a second event loop
    └── APIError                               a call failed; .unfetched_ids: ids not fetched
        ├── APIConnectionError                 the request did not complete
        │   └── APITimeoutError                ... because a timeout ran out
        ├── APIResponseValidationError         a success status whose body is not the envelope
        │   └── ResponseTooLargeError          a body past the cap (max_response_bytes)
        ├── ListingResumeError                 a listing could not go on after a refused cursor
        └── APIStatusError                     an error status; .status_code, .errors, .cf_ray
            ├── BadRequestError                400
            ├── AuthenticationError            401
            ├── PermissionDeniedError          403
            ├── NotFoundError                  404, and error code 3000 whatever the status
            ├── ConflictError                  409
            ├── UnprocessableEntityError       422
            ├── RateLimitError                 429
            └── InternalServerError            5xx

`status_error()` is the one place that maps a status and Cloudflare's codes to a class.
Messages quote Cloudflare's codes and messages, never a credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when needed: `import cf_vectorize` stays cheap
    from cf_vectorize_api.models import ResponseInfo

# Vectorize's "index not found" code; seen with HTTP 404 and with HTTP 400.
INDEX_NOT_FOUND_CODE = 3000


class VectorizeError(Exception):
    """Base of every error raised by cf_vectorize."""


class InvalidInputError(VectorizeError, ValueError):
    """An argument is invalid; raised before anything is sent."""


class InvalidInputTypeError(VectorizeError, TypeError):
    """An argument has the wrong type; raised before anything is sent."""


class ConfigurationError(VectorizeError):
    """A required setting (credential, account id) is neither an argument nor in the environment.

    Also an environment the client cannot work with: a SOCKS proxy without httpx's socks
    extra, a proxy URL httpx refuses, a CA file that does not load, or a client passed in
    that would send plain http through a proxy.
    """


class ClientClosedError(VectorizeError, RuntimeError):
    """The client was closed: before the call, or while the call was in flight."""


class EventLoopMismatchError(VectorizeError, RuntimeError):
    """An AsyncVectorize was used from an event loop other than the one it first ran in.

    Its connections belong to that first loop; make one client per loop (per asyncio.run).
    """


class APIError(VectorizeError):
    """A call to the API failed.

    In a batched call, `unfetched_ids` names every requested id whose chunk was not fetched:
    the call raises instead of returning a partial result.

    `resume_from` is None when `unfetched_ids` names every id of the call not fetched (as
    get_by_ids does). A stream (iter_by_ids) that fails names only the ids it drew and did
    not deliver, and leaves the rest of `ids` undrawn, so that memory stays bounded and an
    endless iterator ends: `resume_from` is then the number of items it took from `ids`
    (duplicates included), and the ids not fetched are `unfetched_ids` followed by
    `ids[resume_from:]` for a sequence, or by what is left in the iterator passed.
    """

    unfetched_ids: tuple[str, ...] = ()
    resume_from: int | None = None


class APIConnectionError(APIError):
    """The request could not be sent or its response not received."""


class APITimeoutError(APIConnectionError):
    """A timeout ran out (connect, read, or the total time allowed to one attempt)."""


class APIResponseValidationError(APIError):
    """The API answered with a success status but the body is not the documented envelope."""

    def __init__(self, message: str, *, status_code: int, cf_ray: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.cf_ray = cf_ray


class ResponseTooLargeError(APIResponseValidationError):
    """The body of a response (of any status) is larger than the client's cap.

    `limit` is the cap in bytes: the client's `max_response_bytes`.
    """

    def __init__(
        self, message: str, *, status_code: int, cf_ray: str | None = None, limit: int
    ) -> None:
        super().__init__(message, status_code=status_code, cf_ray=cf_ray)
        self.limit = limit


class ListingResumeError(APIError):
    """A listing's cursor was refused, and a fresh listing cannot continue it exactly.

    `list_ids` restarts a listing whose cursor expired, skipping the ids it already
    yielded; it raises this when the fresh listing's order does not let it tell which
    those are. Starting the listing again (and dropping what it yielded) is the way on.
    """


class APIStatusError(APIError):
    """The API answered with an error status.

    `errors` holds Cloudflare's error items (code, message, error_chain); it is empty when
    the body was not Cloudflare's JSON envelope (an HTML page from the edge, for example).
    `cf_ray` is the request id to quote to Cloudflare support.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: Sequence[ResponseInfo] = (),
        cf_ray: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.errors = list(errors)
        self.cf_ray = cf_ray
        self.retry_after = retry_after

    @property
    def codes(self) -> list[int]:
        """Cloudflare's error codes, outermost first."""
        return [item.code for item in self.errors]


class BadRequestError(APIStatusError):
    """HTTP 400: malformed request, more than 20 ids (code 40007), bad credentials format."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the credential was not accepted."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the credential lacks the permission."""


class NotFoundError(APIStatusError):
    """HTTP 404, or error code 3000 (index not found) with any status."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429: rate limited; `retry_after` holds the wait Cloudflare asked for, if any."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int, codes: Iterable[int]) -> type[APIStatusError]:
    """Return the exception class for an error status and Cloudflare's error codes."""
    if INDEX_NOT_FOUND_CODE in codes:
        return NotFoundError
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


def describe_items(items: Iterable[ResponseInfo]) -> str:
    """Render error items as `[code] message`, causes from error_chain after `<-`."""
    parts = []
    for item in items:
        text = f"[{item.code}] {item.message}"
        if item.error_chain:
            text += " <- " + describe_items(item.error_chain)
        parts.append(text)
    return "; ".join(parts)
