"""The httpx clients the clients make for themselves: httpx's, with a cheaper cookie jar.

httpx hands every response to the standard library's cookie jar, wrapping it and its
request in urllib objects first: about 15 µs a response (3 % of a small call on loopback)
even when the response sets no cookie, which is every answer of the Vectorize API so far.
Here a response without Set-Cookie skips that step, which changes nothing (the standard
library's jar reads only Set-Cookie and Set-Cookie2); one that sets cookies is read as
httpx reads it. Everything else is httpx's client as is.
"""

from __future__ import annotations

from typing import Any

import httpx


class QuietCookies(httpx.Cookies):
    """httpx.Cookies that skips reading a response which sets no cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Load the cookies a response sets, as httpx does; none set, nothing to do."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _QuietJar:
    """Keeps an httpx client's cookies in QuietCookies; mixed in before the httpx client."""

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401 (the httpx client's own arguments)
        super().__init__(**kwargs)
        self._quiet_cookies = QuietCookies(kwargs.get("cookies"))

    @property
    def cookies(self) -> httpx.Cookies:
        """The cookies sent with each request and updated from each response."""
        return self._quiet_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:  # noqa: ANN401 (whatever httpx accepts)
        self._quiet_cookies = QuietCookies(cookies)


class QuietClient(_QuietJar, httpx.Client):
    """httpx.Client keeping its cookies in QuietCookies."""


class QuietAsyncClient(_QuietJar, httpx.AsyncClient):
    """httpx.AsyncClient keeping its cookies in QuietCookies."""
