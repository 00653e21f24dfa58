"""Bodies of the stand-in's answers, in Cloudflare's v4 envelope.

Statuses and codes marked *seen* come from responses of Cloudflare's API (see
tests/fixtures/responses.json); the others are the stand-in's own choices, shaped the
same way, for cases our reference does not record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

from .._limits import MAX_IDS_PER_REQUEST

__all__ = [
    "Answer",
    "authentication_error",
    "bad_header",
    "body_too_large",
    "error",
    "index_not_found",
    "injected",
    "internal_error",
    "length_required",
    "malformed_body",
    "method_not_allowed",
    "missing_authorization",
    "no_route",
    "protocol_error",
    "request_timeout",
    "status_phrase",
    "success",
    "success_records",
    "too_many_connections",
    "too_many_ids",
]


_SUCCESS_START: Final = b'{"success":true,"errors":[],"messages":[],"result":'
# Cloudflare's code for an answer the stand-in gives at the HTTP level: 10000 + status.
_HTTP_CODE_BASE: Final = 10000
_MAX_MESSAGE_CHARACTERS: Final = 200


@dataclass(frozen=True)
class Answer:
    """An HTTP status, a JSON body and the extra headers to send with it.

    ``result_json``, when set, is the already serialised ``result`` of a success: the
    stored vectors are spliced in as they are, not parsed and written again.
    """

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] | None = None
    result_json: bytes | None = None

    def payload(self) -> bytes:
        """Return the body as compact JSON bytes."""
        if self.result_json is not None:
            return _SUCCESS_START + self.result_json + b"}"
        return json.dumps(self.body, separators=(",", ":")).encode()


def success(result: object) -> Answer:
    """Return the 200 envelope around ``result``."""
    return Answer(200, {"success": True, "errors": [], "messages": [], "result": result})


def success_records(records: Sequence[bytes]) -> Answer:
    """Return the 200 envelope around a result of records already serialised."""
    body = {"success": True, "errors": [], "messages": [], "result": None}
    return Answer(200, body, result_json=b"[" + b",".join(records) + b"]")


def error(status: int, code: int, message: str, chain: Sequence[tuple[int, str]] = ()) -> Answer:
    """Return the failure envelope with one error item (and its ``error_chain``)."""
    item: dict[str, Any] = {"code": code, "message": message}
    if chain:
        item["error_chain"] = [{"code": c, "message": m} for c, m in chain]
    return Answer(status, {"success": False, "errors": [item], "messages": [], "result": None})


# Seen.
def missing_authorization() -> Answer:
    """Answer a request with no credential at all."""
    return error(400, 1001, 'Missing "Authorization" header')


def bad_header(chain_code: int, header: str) -> Answer:
    """Answer a credential header in the wrong format (seen for Authorization: 6003 / 6111)."""
    return error(
        400, 6003, "Invalid request headers", [(chain_code, f"Invalid format for {header} header")]
    )


def authentication_error(status: int = 401) -> Answer:
    """Answer a wrong token or a wrong email and key (also used, with 403, for another account)."""
    return error(status, 10000, "Authentication error")


def too_many_ids() -> Answer:
    """Answer more than 20 ids in one call."""
    return error(400, 40007, f"too many ids in payload; max id count is {MAX_IDS_PER_REQUEST}")


def index_not_found(name: str) -> Answer:
    """Answer an unknown index name (Cloudflare answers 404 or 400; the stand-in uses 404)."""
    return error(404, 3000, f'vectorize.index.not_found - Index name "{name}"')


# The stand-in's own choices.
def no_route() -> Answer:
    """Answer a path that names no endpoint."""
    return error(404, 7003, "No route for that URI")


def method_not_allowed(allowed: str) -> Answer:
    """Answer a known path asked with another method."""
    return Answer(
        HTTPStatus.METHOD_NOT_ALLOWED,
        error(405, 10405, "Method not allowed").body,
        {"Allow": allowed},
    )


def malformed_body(detail: str) -> Answer:
    """Answer a body that is not ``{"ids": [...]}`` with 1 to 20 ids of 1 to 64 bytes."""
    return error(400, 40001, f"invalid payload: {detail}")


def body_too_large(limit: int) -> Answer:
    """Answer a body over the server's limit."""
    return error(413, 10413, f"request body is larger than {limit} bytes")


def length_required() -> Answer:
    """Answer a body sent without Content-Length (chunked bodies are not read)."""
    return error(411, 10411, "Content-Length header is required")


def protocol_error(status: int, message: str | None = None) -> Answer:
    """Answer a request that cannot be read as HTTP/1.x (code 10000 + status).

    For what ``http.server`` itself refuses: a malformed request line, an unsupported HTTP
    version, a request line or header block too long.
    """
    text = (message or status_phrase(status))[:_MAX_MESSAGE_CHARACTERS]
    return error(status, _HTTP_CODE_BASE + status, text)


def status_phrase(status: int) -> str:
    """Return the reason phrase of ``status`` ("Error" for a status HTTP names none for)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def request_timeout(seconds: float) -> Answer:
    """Answer a request not received whole within the stand-in's deadline."""
    return error(408, 10408, f"the request was not received within {seconds:g} seconds")


def injected(status: int, code: int, message: str, retry_after: str | None) -> Answer:
    """Answer with a fault a test asked for (``StandInServer.fail_next``)."""
    answer = error(status, code, message)
    if retry_after is None:
        return answer
    return Answer(answer.status, answer.body, {"Retry-After": retry_after})


def internal_error() -> Answer:
    """Answer a fault in the stand-in itself (Cloudflare's code for the same is 10001)."""
    return error(500, 10001, "Internal server error")


# Our own: the stand-in's connection cap (a 503 that clients retry).
def too_many_connections() -> Answer:
    """Answer a connection beyond the stand-in's cap."""
    return error(503, 10503, "too many open connections to the stand-in; retry shortly")


def stopping() -> Answer:
    """Answer a request held by a delay when the stand-in stops (a 503 that clients retry)."""
    return error(503, 10503, "the stand-in is stopping")
