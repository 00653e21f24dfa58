"""Validate HTTP exchanges with the stand-in against openapi.yaml, by openapi-core.

The spec's server is https://api.cloudflare.com/client/v4; the stand-in serves the same
paths under http://127.0.0.1:PORT/client/v4, so requests are presented to openapi-core
with the spec's host and the path as sent.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
SPEC_HOST = "https://api.cloudflare.com"


@cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_PATH))


def validate_exchange(response: httpx.Response, *, body: bytes | None = None) -> None:
    """Raise unless ``response`` is what openapi.yaml declares for its request.

    ``body`` replaces the response body (to prove the check can fail).
    """
    request = response.request
    mock_request = MockRequest(
        SPEC_HOST,
        request.method,
        request.url.path,
        headers=dict(request.headers),
        args=dict(request.url.params),
        data=request.content,
    )
    mock_response = MockResponse(
        response.content if body is None else body,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.headers.get("content-type", ""),
    )
    _openapi().validate_response(mock_request, mock_response)


# The request path as it must be sent; {account_id} and {index_name} percent-encoded,
# then the operation.
_PATH_SHAPE = (
    "",
    "client",
    "v4",
    "accounts",
    None,
    "vectorize",
    "v2",
    "indexes",
    None,
    None,
)
_OPERATIONS = ("get_by_ids", "list")


@cache
def _schemas() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return dict(spec["components"]["schemas"])


def validate_request(request: httpx.Request) -> None:
    """Raise unless ``request`` is what openapi.yaml declares (path, query, body, credentials).

    The path is checked as sent on the wire: a parameter that would change it (``..``)
    fails. openapi-core does not percent-decode path parameters before checking them, so
    the decoded values are checked against the spec's own schemas (AccountId, IndexName)
    by openapi-schema-validator, and openapi-core checks the rest with them in place.
    """
    parts = request.url.raw_path.decode("ascii").partition("?")[0].split("/")
    if (
        len(parts) != len(_PATH_SHAPE)
        or any(
            want is not None and part != want for part, want in zip(parts, _PATH_SHAPE, strict=True)
        )
        or parts[-1] not in _OPERATIONS
    ):
        raise ValueError(f"not a path of openapi.yaml: {request.url.raw_path!r}")
    for position, schema in ((4, "AccountId"), (8, "IndexName")):
        OAS31Validator(_schemas()[schema]).validate(unquote(parts[position]))
    parts[4], parts[8] = "0123456789abcdef0123456789abcdef", "example-index"
    mock_request = MockRequest(
        SPEC_HOST,
        request.method.lower(),
        "/".join(parts),
        headers=dict(request.headers),
        args=dict(request.url.params),
        data=request.content,
    )
    _openapi().validate_request(mock_request)
