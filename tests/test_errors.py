"""Every answer that is not a success becomes one typed error quoting Cloudflare's codes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VectorizeError,
)
from cf_vectorize._errors import status_error_class
from tests.clientkit import Runner, Server
from tests.conftest import response_cases

EXPECTED = {
    "bad-authorization-header": (BadRequestError, [6003]),
    "missing-authorization-header": (BadRequestError, [1001]),
    "authentication-error": (AuthenticationError, [10000]),
    "index-not-found": (NotFoundError, [3000]),
    "too-many-ids": (BadRequestError, [40007]),
    "rate-limited": (RateLimitError, [10100]),
}


def respond(status: int, body: Any = None, **kwargs: Any) -> Server:
    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        if body is None:
            return httpx.Response(status, **kwargs)
        return httpx.Response(status, json=body, **kwargs)

    return Server([answer])


def raised(runner: Runner, server: Server) -> APIError:
    with pytest.raises(APIError) as caught:
        runner.get(server, "my-index", ["a"], max_retries=0)
    return caught.value


def test_every_failure_case_is_covered() -> None:
    failures = {name for name, case in response_cases().items() if case["status"] >= 400}
    assert failures == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_failure_maps_to_its_exception(runner: Runner, name: str) -> None:
    case = response_cases()[name]
    headers = {"cf-ray": "8c0ffee0b1a2c3d4-LHR", **case.get("headers", {})}
    error = raised(runner, respond(case["status"], case["body"], headers=headers))
    cls, codes = EXPECTED[name]
    assert type(error) is cls
    assert isinstance(error, APIStatusError)
    assert error.status_code == case["status"]
    assert error.codes == codes
    assert error.cf_ray == "8c0ffee0b1a2c3d4-LHR"
    for item in case["body"]["errors"]:
        assert f"[{item['code']}] {item['message']}" in str(error)
    assert "cf-ray 8c0ffee0b1a2c3d4-LHR" in str(error)


def test_error_chain_is_carried_and_quoted(runner: Runner) -> None:
    case = response_cases()["bad-authorization-header"]
    error = raised(runner, respond(400, case["body"]))
    assert isinstance(error, APIStatusError)
    (item,) = error.errors
    assert [cause.code for cause in item.error_chain or []] == [6111]
    assert (
        "[6003] Invalid request headers <- [6111] Invalid format for Authorization header"
        in str(error)
    )


def test_index_not_found_with_400_is_not_found(runner: Runner) -> None:
    body = response_cases()["index-not-found"]["body"]
    error = raised(runner, respond(400, body))
    assert type(error) is NotFoundError and error.status_code == 400


def test_rate_limit_error_carries_retry_after(runner: Runner) -> None:
    case = response_cases()["rate-limited"]
    error = raised(runner, respond(429, case["body"], headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimitError) and error.retry_after == 7.0


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (526, InternalServerError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
def test_status_to_class(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status, [10000]) is cls
    assert status_error_class(status, [10000, 3000]) is NotFoundError


def test_html_error_page_is_a_status_error_without_items(runner: Runner) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
    server = respond(502, None, text=page, headers={"content-type": "text/html"})
    error = raised(runner, server)
    assert type(error) is InternalServerError and error.errors == []
    assert "text/html" in str(error) and "502 Bad Gateway" in str(error)


def ok_body(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


NOT_ENVELOPE = "not the documented envelope"
BAD_SUCCESS_BODIES = [
    ({"text": "<html>oops</html>", "headers": {"content-type": "text/html"}}, "text/html"),
    (
        {
            "content": b'{"success": true, "result": [',
            "headers": {"content-type": "application/json"},
        },
        "not valid JSON",
    ),
    (
        {"json": dict(response_cases()["authentication-error"]["body"])},
        r"success: false: \[10000\] Authentication error",
    ),
    ({"json": {"hello": "world"}}, NOT_ENVELOPE),
    ({"json": [1, 2]}, NOT_ENVELOPE),
    ({"json": ok_body([{"id": "a", "values": ["x"]}])}, NOT_ENVELOPE),
    ({"json": ok_body([{"values": [1]}])}, NOT_ENVELOPE),
    ({"json": ok_body(None)}, NOT_ENVELOPE),
    ({"json": ok_body([{"id": 5, "values": []}])}, NOT_ENVELOPE),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_SUCCESS_BODIES)
def test_bad_success_bodies_are_validation_errors(
    runner: Runner, kwargs: dict[str, Any], message: str
) -> None:
    server = Server([lambda request, ids: httpx.Response(200, **kwargs)])
    error = raised(runner, server)
    assert type(error) is APIResponseValidationError
    assert error.status_code == 200
    assert len(server.requests) == 1  # a bad body is not retried
    assert re.search(message, str(error)), str(error)


def test_everything_derives_from_one_base() -> None:
    for cls in (APIResponseValidationError, RateLimitError, InternalServerError):
        assert issubclass(cls, VectorizeError)


def test_a_body_its_content_encoding_does_not_decode(runner: Runner) -> None:
    headers = {"content-encoding": "gzip", "content-type": "application/json"}

    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        # A stream, as a real transport gives: decoding happens while the body is read.
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"not gzip"))

    error = raised(runner, Server([answer]))
    assert type(error) is APIResponseValidationError
    assert "Content-Encoding (gzip)" in str(error)
