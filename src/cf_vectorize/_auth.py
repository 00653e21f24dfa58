"""Credentials as httpx.Auth classes: they keep the prepared headers and never show them."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from ._errors import InvalidInputError, InvalidInputTypeError


def _header_value(value: object, what: str) -> str:
    """Return value if it can be sent as an HTTP header value, else raise (without echoing it)."""
    if not isinstance(value, str):
        raise InvalidInputTypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value:
        raise InvalidInputError(f"{what} is empty")
    if value != value.strip():
        raise InvalidInputError(f"{what} starts or ends with white space")
    if any(not (" " <= char <= "~") for char in value):
        raise InvalidInputError(
            f"{what} contains a character that cannot be sent in an HTTP header "
            "(control character, newline or non-ASCII)"
        )
    return value


class ApiToken(httpx.Auth):
    """A Cloudflare API token, sent as `Authorization: Bearer …`.

    Usable with any httpx client, sync or async. `repr` and `str` never show the token.
    """

    def __init__(self, token: str) -> None:
        self._headers = {"Authorization": f"Bearer {_header_value(token, 'API token')}"}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Authorization header."""
        request.headers.update(self._headers)
        yield request

    def __repr__(self) -> str:
        return "ApiToken(token=<hidden>)"

    __str__ = __repr__


class GlobalApiKey(httpx.Auth):
    """The legacy credential: account e-mail and Global API Key, sent as X-Auth-Email / X-Auth-Key.

    Usable with any httpx client, sync or async. `repr` and `str` never show the key or e-mail.
    """

    def __init__(self, email: str, key: str) -> None:
        self._headers = {
            "X-Auth-Email": _header_value(email, "API e-mail"),
            "X-Auth-Key": _header_value(key, "API key"),
        }

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the X-Auth-Email and X-Auth-Key headers."""
        request.headers.update(self._headers)
        yield request

    def __repr__(self) -> str:
        return "GlobalApiKey(email=<hidden>, key=<hidden>)"

    __str__ = __repr__


Credential = ApiToken | GlobalApiKey
