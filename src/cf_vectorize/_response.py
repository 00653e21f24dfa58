"""Turning an HTTP response of get_by_ids into vectors or one of our typed errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector

from ._config import hide_userinfo
from ._errors import (
    APIResponseValidationError,
    APIStatusError,
    describe_items,
    status_error_class,
)
from ._retry import parse_retry_after

SNIPPET_LENGTH = 200  # characters of an unexpected body quoted in an error message


def _snippet(content: bytes) -> str:
    text = content[: SNIPPET_LENGTH * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:SNIPPET_LENGTH] + ("…" if len(text) > SNIPPET_LENGTH else "")


def _is_json(headers: Mapping[str, str]) -> bool:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


@functools.cache
def _fast_loads() -> Callable[[bytes], Any] | None:
    """Return orjson.loads when the `fast` extra is installed, else None.

    orjson decodes a full answer (20 vectors of 1536 values) about 7 times faster than json.
    Imported with the first answer, not with the package: `import cf_vectorize` stays fast.
    """
    try:
        from orjson import loads  # noqa: PLC0415
    except ImportError:  # pragma: no cover (installed wherever the tests run)
        return None
    return loads


def _decode(content: bytes) -> Any:  # noqa: ANN401 (JSON is any shape until checked)
    loads = _fast_loads()
    if loads is not None:
        try:
            return loads(content)
        except ValueError:
            # json has the last word, so the result never depends on the extra: it accepts
            # what orjson refuses (NaN, lone surrogates) and words the error when it refuses.
            pass
    return json.loads(content)


def status_error(status_code: int, headers: Mapping[str, str], content: bytes) -> APIStatusError:
    """Build the typed error for an error status, reading Cloudflare's items when present."""
    # The generated package (and attrs) load with the first answer, not with
    # `import cf_vectorize`, which stays fast; later imports are a dictionary look-up.
    from cf_vectorize_api.models import ErrorResponse  # noqa: PLC0415

    cf_ray = headers.get("cf-ray")
    errors = []
    try:
        errors = ErrorResponse.from_dict(_decode(content)).errors if _is_json(headers) else []
    except (ValueError, KeyError, TypeError, AttributeError):
        errors = []
    if errors:
        detail = describe_items(errors)
    elif 300 <= status_code < 400:
        detail = _redirect_detail(headers)
    else:
        media_type = headers.get("content-type", "no content type")
        detail = f"body is not Cloudflare's JSON envelope ({media_type}): {_snippet(content)!r}"
    ray = f" (cf-ray {cf_ray})" if cf_ray else ""
    cls = status_error_class(status_code, (item.code for item in errors))
    return cls(
        f"HTTP {status_code} from Cloudflare: {detail}{ray}",
        status_code=status_code,
        errors=errors,
        cf_ray=cf_ray,
        retry_after=parse_retry_after(headers),
    )


def _redirect_detail(headers: Mapping[str, str]) -> str:
    location = hide_userinfo(headers.get("location", "nowhere"))[:SNIPPET_LENGTH]
    return (
        f"a redirect to {location!r}, not followed: the credential goes only to the base "
        "URL's host (if the API has moved, make the new address the base URL)"
    )


def undecodable(response: httpx.Response, error: httpx.DecodingError) -> APIResponseValidationError:
    """Build the error for a body that its Content-Encoding does not decode."""
    encoding = response.headers.get("content-encoding", "none")
    return APIResponseValidationError(
        f"HTTP {response.status_code} with a body that does not decode as its "
        f"Content-Encoding ({encoding}) says: {error}",
        status_code=response.status_code,
        cf_ray=response.headers.get("cf-ray"),
    )


def vectors_from(status_code: int, headers: Mapping[str, str], content: bytes) -> list[Vector]:
    """Return the vectors of a 200 answer; raise a typed error for anything else."""
    if status_code != 200:
        raise status_error(status_code, headers, content)
    cf_ray = headers.get("cf-ray")
    if not _is_json(headers):
        media_type = headers.get("content-type", "no content type")
        raise APIResponseValidationError(
            f"HTTP 200 with a {media_type} body instead of JSON: {_snippet(content)!r}",
            status_code=status_code,
            cf_ray=cf_ray,
        )
    try:
        data = _decode(content)
    except ValueError as error:
        raise APIResponseValidationError(
            f"HTTP 200 with a body that is not valid JSON ({error}): {_snippet(content)!r}",
            status_code=status_code,
            cf_ray=cf_ray,
        ) from None
    if isinstance(data, dict) and data.get("success") is False:
        from cf_vectorize_api.models import ErrorResponse  # noqa: PLC0415

        try:
            detail = describe_items(ErrorResponse.from_dict(data).errors)
        except (ValueError, KeyError, TypeError, AttributeError):
            detail = _snippet(content)
        raise APIResponseValidationError(
            f"HTTP 200 but the envelope says success: false: {detail}",
            status_code=status_code,
            cf_ray=cf_ray,
        )
    try:
        return _parse_success(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise APIResponseValidationError(
            "HTTP 200 with a body that is not the documented envelope "
            f"({type(error).__name__}: {error}): {_snippet(content)!r}",
            status_code=status_code,
            cf_ray=cf_ray,
        ) from None


def _parse_success(data: Any) -> list[Vector]:  # noqa: ANN401
    """Parse with the generated model, and check what the generated code does not."""
    from cf_vectorize_api.models import GetVectorsByIdResponse  # noqa: PLC0415

    if not isinstance(data, dict):
        raise TypeError(f"the body is a JSON {type(data).__name__}, not an object")
    parsed = GetVectorsByIdResponse.from_dict(data)
    for vector in parsed.result:
        if type(vector.id) is not str:
            raise TypeError(f"a vector id is {type(vector.id).__name__}, not a string")
        if type(vector.values) is not list:
            raise TypeError(f"values of vector {vector.id!r} is not a list")
        # sum() runs in C and raises TypeError on any non-number: a cheap check of 1536 values.
        sum(vector.values, 0.0)
        if vector.namespace is not None and type(vector.namespace) is not str:
            raise TypeError(f"namespace of vector {vector.id!r} is not a string")
    return parsed.result
