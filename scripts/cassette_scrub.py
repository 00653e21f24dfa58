"""What goes into a cassette: the one vcrpy configuration of the tests and the recorder.

Requests keep only their method, URL, body and a few harmless headers; the account id in
the URL becomes ACCOUNT_ID_PLACEHOLDER. Responses keep their status, body and the headers
named in RESPONSE_HEADERS_KEPT. Known secret values (the recorder passes its token, key,
e-mail and account id) are replaced wherever they appear, bodies included.

Why keep `cf-ray`: it is the id of one finished request, useful to check that the client
reports it; it grants nothing, names no account, and only the account's owner can ask
Cloudflare support about it. Cookies (`Set-Cookie`: load-balancer and bot-management
session ids) and `cf-auditlog-id` are dropped, with every other header not kept by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from vcr.request import Request

ACCOUNT_ID_PLACEHOLDER = "ACCOUNT_ID_PLACEHOLDER"
SECRET_PLACEHOLDER = "REDACTED"  # noqa: S105 (what replaces a secret)
# Request headers worth reading in a cassette; credentials and cookies are never among them.
REQUEST_HEADERS_KEPT = frozenset({"content-type", "accept", "user-agent"})
# Response headers the client reads (content type, retry hints, request id) or that say
# which server answered. Anything else is dropped: cookies, audit ids, reporting endpoints.
RESPONSE_HEADERS_KEPT = frozenset(
    {"content-type", "retry-after", "retry-after-ms", "cf-ray", "server", "date"}
)
# Named for readers and for vcrpy's own filter; the allow-lists above already drop them.
SECRET_HEADERS = ("authorization", "x-auth-key", "x-auth-email", "cookie")
# The account id is the path segment after /accounts/, whatever it looks like.
_ACCOUNT_SEGMENT = re.compile(r"(/accounts/)[^/?#]+")
# What the tests match a request on: the body too, as JSON when both sides say so.
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")


def _replace_all(text: str, secrets: Iterable[tuple[str, str]]) -> str:
    for secret, placeholder in secrets:
        text = text.replace(secret, placeholder)
    return text


class Scrubber:
    """Scrubs requests and responses; knows the secret values of a recording, if any."""

    def __init__(self, account_ids: Iterable[str] = (), secrets: Iterable[str] = ()) -> None:
        pairs = [(value, ACCOUNT_ID_PLACEHOLDER) for value in account_ids if value]
        pairs += [(value, SECRET_PLACEHOLDER) for value in secrets if value]
        # Longest first, so a secret that contains another is replaced whole.
        self._pairs = sorted(set(pairs), key=lambda pair: -len(pair[0]))

    def scrub_text(self, text: str) -> str:
        """Replace every known secret value in text."""
        return _replace_all(text, self._pairs)

    def _scrub_bytes(self, body: bytes) -> bytes:
        for secret, placeholder in self._pairs:
            body = body.replace(secret.encode(), placeholder.encode())
        return body

    def request(self, request: Request) -> Request:
        """Rewrite the account id in the URL, keep harmless headers, scrub the body."""
        request.uri = self.scrub_text(
            _ACCOUNT_SEGMENT.sub(rf"\1{ACCOUNT_ID_PLACEHOLDER}", request.uri)
        )
        request.headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in REQUEST_HEADERS_KEPT and self.scrub_text(value) == value
        }
        if isinstance(request.body, bytes):
            request.body = self._scrub_bytes(request.body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Keep the headers of RESPONSE_HEADERS_KEPT that hold no secret; scrub the body."""
        response["headers"] = {
            name: values
            for name, values in response["headers"].items()
            if name.lower() in RESPONSE_HEADERS_KEPT
            and all(self.scrub_text(value) == value for value in values)
        }
        body = response.get("body", {})
        if isinstance(body.get("string"), bytes):
            body["string"] = self._scrub_bytes(body["string"])
        elif isinstance(body.get("string"), str):
            body["string"] = self.scrub_text(body["string"])
        return response


def vcr_options(account_ids: Iterable[str] = (), secrets: Iterable[str] = ()) -> dict[str, Any]:
    """Return the keyword arguments of vcr.VCR / pytest-recording's vcr_config."""
    scrubber = Scrubber(account_ids, secrets)
    before_request: Callable[[Request], Request] = scrubber.request
    before_response: Callable[[dict[str, Any]], dict[str, Any]] = scrubber.response
    return {
        "filter_headers": list(SECRET_HEADERS),
        "before_record_request": before_request,
        "before_record_response": before_response,
        "match_on": list(MATCH_ON),
        "decode_compressed_response": True,
    }
