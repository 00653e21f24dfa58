"""The proxy the environment names for a URL, chosen by the rules httpx applies.

A client hands httpx a transport of its own (the sync one keeps the total timeout in it),
and httpx reads no proxy from the environment for a client given a transport: so the
clients read it here, for their base URL, and build the transport through that proxy.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request

import httpx

from ._errors import ConfigurationError

PROXY_VARIABLES = "HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY"


def environment_proxy(url: str) -> httpx.Proxy | None:
    """Return the proxy requests to url go through, or None: straight to the server.

    HTTP_PROXY / HTTPS_PROXY for their scheme, else ALL_PROXY, unless NO_PROXY covers the
    host (`*` covers all; `example.com` the domain and its subdomains; `.example.com` the
    subdomains only; IP addresses and `localhost` themselves; `scheme://host:port` forms).
    """
    try:
        return _choose(httpx.URL(url), urllib.request.getproxies())
    except (httpx.InvalidURL, ValueError) as error:
        raise ConfigurationError(f"unusable proxy settings in {PROXY_VARIABLES}: {error}") from None


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
