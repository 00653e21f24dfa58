"""Turning an HTTP response of get_by_ids into vectors or one of our typed errors."""

from __future__ import annotations

import functools
import json
import math
import operator
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cf_vectorize_api.models import GetVectorsByIdResponse, Vector

from ._config import hide_userinfo
from ._errors import (
    APIResponseValidationError,
    APIStatusError,
    describe_items,
    status_error_class,
)
from ._retry import parse_retry_after

SNIPPET_LENGTH = 200  # characters of an unexpected body quoted in an error message
# Deepest nesting accepted inside a vector (its metadata): honest metadata (10 KiB at most)
# nests a few levels; deeper data would break repr(), copy.deepcopy() or orjson.dumps()
# (254 levels) in the caller's hands, and the CLI's rendering.
MAX_NESTING = 100


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


@functools.cache
def _fast_dumps() -> Callable[[Any], bytes] | None:
    """Return orjson.dumps when the `fast` extra is installed, else None."""
    try:
        from orjson import dumps  # noqa: PLC0415
    except ImportError:  # pragma: no cover (installed wherever the tests run)
        return None
    return dumps


def encode_json(value: Any) -> bytes:  # noqa: ANN401 (a request body: any JSON value)
    """Return value as compact UTF-8 JSON (what httpx's json= sends), orjson when installed."""
    dumps = _fast_dumps()
    if dumps is not None:
        return dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _decode(content: bytes) -> Any:  # noqa: ANN401 (JSON is any shape until checked)
    """Decode JSON; every failure is a ValueError."""
    loads = _fast_loads()
    if loads is not None:
        try:
            return loads(content)
        except ValueError:
            # json has the last word, so the result never depends on the extra: it accepts
            # what orjson refuses (NaN, lone surrogates) and words the error when it refuses.
            pass
    try:
        return json.loads(content)
    except RecursionError:  # json recurses once per level: a hostile body nests thousands
        raise ValueError("JSON nested deeper than Python's recursion limit") from None


def status_error(status_code: int, headers: Mapping[str, str], content: bytes) -> APIStatusError:
    """Build the typed error for an error status, reading Cloudflare's items when present."""
    # The generated package (and attrs) load with the first answer, not with
    # `import cf_vectorize`, which stays fast; later imports are a dictionary look-up.
    from cf_vectorize_api.models import ErrorResponse  # noqa: PLC0415

    cf_ray = headers.get("cf-ray")
    errors = []
    detail = ""
    try:
        errors = ErrorResponse.from_dict(_decode(content)).errors if _is_json(headers) else []
        detail = describe_items(errors)
    except Exception:  # any body at all: the status alone still gives the class
        errors = []
    if not errors and 300 <= status_code < 400:
        detail = _redirect_detail(headers)
    elif not errors:
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


def success_body(status_code: int, headers: Mapping[str, str], content: bytes) -> Any:  # noqa: ANN401
    """Return the decoded JSON of a 200 answer whose envelope does not say success: false.

    Raise the typed error for an error status, a body that is not JSON, or an envelope
    that says success: false; checking the shape of what is returned is the caller's.
    """
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
        except Exception:  # the envelope's items are as hostile as the rest
            detail = _snippet(content)
        raise APIResponseValidationError(
            f"HTTP 200 but the envelope says success: false: {detail}",
            status_code=status_code,
            cf_ray=cf_ray,
        )
    return data


def vectors_from(
    status_code: int, headers: Mapping[str, str], content: bytes, asked: Sequence[str]
) -> list[Vector]:
    """Return the vectors of a 200 answer to a request for the ids asked.

    Raise a typed error for anything else: an error status, a body that is not the
    envelope, or vectors that are not among those asked (more, repeated, or other ids).
    """
    data = success_body(status_code, headers, content)
    cf_ray = headers.get("cf-ray")
    try:
        vectors = _parse_success(data)
        _check_ids(vectors, asked)
    except Exception as error:  # any shape at all: a typed error, never a bare one from inside
        raise APIResponseValidationError(
            "HTTP 200 with a body that is not the documented envelope "
            f"({type(error).__name__}: {error}): {_snippet(content)!r}",
            status_code=status_code,
            cf_ray=cf_ray,
        ) from None
    return vectors


@functools.cache
def _response_model() -> type[GetVectorsByIdResponse]:
    """Return the generated model of an answer, imported once, by the first answer.

    Not at the top: `import cf_vectorize` stays fast. Not a `from … import` in the function
    that parses: on a package that runs importlib's Python code with every answer.
    """
    from cf_vectorize_api.models import GetVectorsByIdResponse  # noqa: PLC0415

    return GetVectorsByIdResponse


def _parse_success(data: Any) -> list[Vector]:  # noqa: ANN401
    """Parse with the generated model, and check what the generated code does not."""
    if not isinstance(data, dict):
        raise TypeError(f"the body is a JSON {type(data).__name__}, not an object")
    if isinstance(data.get("result"), list):
        for record in data["result"]:
            if isinstance(record, dict):
                _check_fields(record)
    parsed = _response_model().from_dict(data)
    for vector in parsed.result:
        if type(vector.id) is not str:
            raise TypeError(f"a vector id is {type(vector.id).__name__}, not a string")
        if type(vector.values) is not list:
            raise TypeError(f"values of vector {_shown(vector.id)} is not a list")
        _check_values(vector.id, vector.values)
        if vector.namespace is not None and type(vector.namespace) is not str:
            raise TypeError(f"namespace of vector {_shown(vector.id)} is not a string")
    return parsed.result


def _shown(vector_id: object) -> str:
    """Name a vector in a message: its id quoted and cut short, or the JSON type it has."""
    if not isinstance(vector_id, str):
        return f"with a {type(vector_id).__name__} for id"
    return repr(vector_id[:64]) + ("…" if len(vector_id) > 64 else "")


def _check_values(vector_id: str, values: list[Any]) -> None:
    """Raise unless every value is a finite number that fits a float."""
    # sum() runs in C and raises TypeError on any non-number: a cheap check of 1536 values.
    # Its total is finite unless a value is NaN or infinite (or, rarely, the sum overflows).
    try:
        total = sum(values, 0.0)
    except OverflowError:
        raise ValueError(f"vector {_shown(vector_id)} has a value too large for a float") from None
    if not math.isfinite(total):
        bad = next((value for value in values if not math.isfinite(value)), None)
        if bad is not None:
            raise ValueError(f"vector {_shown(vector_id)} has {bad!r} among values")


_vector_id = operator.attrgetter("id")

# JSON values that neither nest nor can be a non-finite number.
_FLAT_TYPES = frozenset({str, int, bool, type(None)})


def _check_fields(record: dict[str, Any]) -> None:
    """Raise when a vector's fields but values nest too deep or hold a non-finite number."""
    for key, value in record.items():
        kind = type(value)
        if key == "values" or kind in _FLAT_TYPES:
            continue
        # The usual metadata, an object of strings and integers, passes in one C-level look.
        if kind is not dict or not _FLAT_TYPES.issuperset(map(type, value.values())):
            _check_nested(record)
            return


def _check_nested(record: dict[str, Any]) -> None:
    """_check_fields for a record holding nested values or floats: walk them all."""
    vector_id = record.get("id")
    # Depth first with a stack of iterators: memory grows with the depth, not the size.
    stack = [iter([value for key, value in record.items() if key != "values"])]
    while stack:
        for child in stack[-1]:
            if isinstance(child, float) and not math.isfinite(child):
                raise ValueError(f"vector {_shown(vector_id)} holds {child!r}, not a finite number")
            if isinstance(child, dict | list):
                if len(stack) > MAX_NESTING:
                    raise ValueError(
                        f"vector {_shown(vector_id)} nests deeper than {MAX_NESTING} levels"
                    )
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()


def _check_ids(vectors: list[Vector], asked: Sequence[str]) -> None:
    """Raise unless each vector was asked for, and comes no more often than it was asked."""
    if len(vectors) > len(asked):
        raise ValueError(f"{len(vectors)} vectors for {len(asked)} id(s) asked")
    # The usual answer (distinct ids, all asked for) passes in C; only a suspect one is
    # counted through, which names the first vector at fault.
    found = set(map(_vector_id, vectors))
    if len(found) == len(vectors) and found.issubset(asked):
        return
    left = Counter(asked)
    for vector in vectors:
        if vector.id not in left:
            raise ValueError(f"vector {_shown(vector.id)} was not asked for")
        if not left[vector.id]:
            raise ValueError(f"vector {_shown(vector.id)} comes twice")
        left[vector.id] -= 1
