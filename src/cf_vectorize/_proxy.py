"""Proxies: the one the environment names for a URL, by httpx's rules; a guard against any.

A client hands httpx a transport of its own (the sync one keeps the total timeout in it),
and httpx reads no proxy from the environment for a client given a transport: so the
clients read it here, for their base URL, and build the transport through that proxy.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request
from collections.abc import Callable
from typing import Any

import httpx

from ._auth import DEFAULT_PORTS
from ._errors import ConfigurationError


def environment_proxy(url: str) -> httpx.Proxy | None:
    """Return the proxy requests to url go through, or None: straight to the server.

    HTTP_PROXY / HTTPS_PROXY for their scheme, else ALL_PROXY, unless NO_PROXY covers the
    host (`*` covers all; `example.com` the domain and its subdomains; `.example.com` the
    subdomains only; IP addresses and `localhost` themselves; `scheme://host:port` forms).
    Raises ValueError or httpx.InvalidURL for a value httpx would refuse.
    """
    return _choose(httpx.URL(url), urllib.request.getproxies())


def direct_only(url: str, asynchronous: bool) -> Callable[[str, dict[str, Any]], Any]:
    """Return an httpx "trace" extension that stops a request connecting past url's origin.

    httpcore reports each connection it opens to the trace callback before it opens it;
    a request through a proxy opens one to the proxy: the callback then raises, before any
    byte is sent. (The async client's callback must be a coroutine function.)
    """
    target = httpx.URL(url)
    origin = (target.raw_host.decode("ascii"), target.port or DEFAULT_PORTS[target.scheme])

    def check(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.started" and (info["host"], info["port"]) != origin:
            raise ConfigurationError(
                f"the http_client given would send {url} (plain http) through a proxy, which "
                "would read the credential: use https, or make that client without a proxy "
                "for this host"
            )

    async def check_async(event: str, info: dict[str, Any]) -> None:
        check(event, info)

    return check_async if asynchronous else check


def _choose(url: httpx.URL, found: dict[str, str]) -> httpx.Proxy | None:
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            named = found[scheme]
            routes[f"{scheme}://"] = named if "://" in named else f"http://{named}"
    for host in (entry.strip() for entry in found.get("no", "").split(",")):
        if host == "*":
            return None
        if host:
            routes[_bypass_pattern(host)] = None
    # The most specific route wins: one naming a port, then the longest host, then a scheme.
    matching = [(_Route(pattern), proxy) for pattern, proxy in routes.items()]
    for route, proxy in sorted(matching, key=lambda pair: pair[0].priority):
        if route.matches(url):
            return None if proxy is None else httpx.Proxy(proxy)
    return None


def _bypass_pattern(host: str) -> str:
    if "://" in host:
        return host
    if _is_ip(host, ipaddress.IPv4Address) or host.lower() == "localhost":
        return f"all://{host}"
    if _is_ip(host, ipaddress.IPv6Address):
        return f"all://[{host}]"
    return f"all://*{host}"


def _is_ip(host: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(host.split("/", maxsplit=1)[0])
    except ValueError:
        return False
    return True


class _Route:
    """A route pattern such as `https://`, `all://*example.com` or `http://host:8080`."""

    def __init__(self, pattern: str) -> None:
        url = httpx.URL(pattern)
        self.scheme = "" if url.scheme == "all" else url.scheme
        self.port = url.port
        host = "" if url.host == "*" else url.host
        if not host:
            self.host: re.Pattern[str] | None = None
        elif host.startswith("*."):
            self.host = re.compile(rf"^.+\.{re.escape(host[2:])}$")
        elif host.startswith("*"):
            self.host = re.compile(rf"^(.+\.)?{re.escape(host[1:])}$")
        else:
            self.host = re.compile(rf"^{re.escape(host)}$")
        self.priority = (self.port is None, -len(host), -len(self.scheme))

    def matches(self, url: httpx.URL) -> bool:
        return (
            (not self.scheme or self.scheme == url.scheme)
            and (self.host is None or self.host.match(url.host) is not None)
            and (self.port is None or self.port == url.port)
        )
