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
        for name, value in self._headers.items():  # cheaper than headers.update
            request.headers[name] = value
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
        for name, value in self._headers.items():  # cheaper than headers.update
            request.headers[name] = value
        yield request

    def __repr__(self) -> str:
        return "GlobalApiKey(email=<hidden>, key=<hidden>)"

    __str__ = __repr__


Credential = ApiToken | GlobalApiKey

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: httpx.URL) -> str:
    """scheme://host:port of url, the port always written, so that equal origins compare equal."""
    port = url.port or DEFAULT_PORTS.get(url.scheme, 0)
    host = url.raw_host.decode("ascii").lower()
    return f"{url.scheme}://{f'[{host}]' if ':' in host else host}:{port}"


class BoundCredential(httpx.Auth):
    """A credential that adds its headers only to requests for one origin: the base URL's.

    The clients send with it, and it is the `auth` of the httpx client they make (shared as
    `api_client`): a request built for any other scheme, host or port is refused before
    anything is sent, rather than carrying the credential there. (A redirect is another
    matter: httpx copies the headers of the first request to the next without asking the
    Auth again, so the clients never follow one.)
    """

    def __init__(self, credential: Credential, base_url: str) -> None:
        self.credential = credential
        self.origin = origin_of(httpx.URL(base_url))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the credential's headers, or refuse a request for another origin."""
        target = origin_of(request.url)
        if target != self.origin:
            raise InvalidInputError(
                f"refusing to send the credential to {target}: "
                f"this client sends it only to {self.origin}"
            )
        yield from self.credential.auth_flow(request)

    def __repr__(self) -> str:
        return f"{self.credential!r} for {self.origin}"

    __str__ = __repr__
