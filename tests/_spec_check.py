"""Validate HTTP exchanges with the stand-in against openapi.yaml, by openapi-core.

The spec's server is https://api.cloudflare.com/client/v4; the stand-in serves the same
paths under http://127.0.0.1:PORT/client/v4, so requests are presented to openapi-core
with the spec's host and the path as sent.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

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
        data=request.content,
    )
    mock_response = MockResponse(
        response.content if body is None else body,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.headers.get("content-type", ""),
    )
    _openapi().validate_response(mock_request, mock_response)
