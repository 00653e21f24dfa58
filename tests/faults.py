"""The fault scenarios: one table, run by tests/test_faults.py and by `make reliability`.

Each scenario fixes what a client must do against a misbehaving server on 127.0.0.1: how
many requests it sends, and whether it returns every vector asked for or raises one of our
exceptions naming every id it did not fetch. Retry waits are recorded, not slept, except
where time is the point (timeouts), and those use short timeouts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trustme

from cf_vectorize import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ApiToken,
    AsyncVectorize,
    BadRequestError,
    ConfigurationError,
    GlobalApiKey,
    InternalServerError,
    InvalidInputError,
    RateLimit,
    RateLimitError,
    ResponseTooLargeError,
    Timeout,
    Vectorize,
    VectorizeError,
    VectorList,
)
from cf_vectorize._retry import INITIAL_RETRY_DELAY, JITTER
from tests.faultserver import (
    Behaviour,
    Exchange,
    FaultServer,
    close_during_body,
    compression_bomb,
    declared_body,
    drip,
    envelope,
    failing_for,
    failure_body,
    found,
    never_answer,
    proxy,
    redirect,
    reset_before_body,
    reset_during_body,
    respond,
    respond_json,
    slow,
    undeclared_body,
    vector,
)

ACCOUNT = "0123456789abcdef0123456789abcdef"
TOKEN = "tok_fault_0123456789ABCDEFGHIJKLMNOPQRS"  # must never show up anywhere
KEY = "fau1t0123456789abcdef0123456789abcdef"  # the Global API Key pair's, likewise
EMAIL = "fault.owner@example.com"
SECRETS = (TOKEN, KEY, EMAIL)
CREDENTIAL_HEADERS = ("authorization", "x-auth-key", "x-auth-email")
# Cleared around every run, so that a scenario sees only the environment it sets.
PROXY_ENVIRONMENT = (
    *(
        name
        for base in ("HTTP", "HTTPS", "ALL", "NO")
        for name in (f"{base}_PROXY", f"{base.lower()}_proxy")
    ),
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
# Short limits, so that the scenarios about time end quickly.
FAST = Timeout(total=1.0, connect=0.5)
CLIENTS = ("sync", "async")
BATCH = tuple(f"id-{n:02d}" for n in range(60))  # three chunks of 20

RATE_LIMITED = failure_body(10100, "More than 1200 requests per 300 seconds reached.")
SERVER_DOWN = failure_body(10001, "service temporarily unavailable")


def edge_page(status: int) -> Behaviour:
    """Cloudflare's edge answers 502 and 520-526 with an HTML page, not the envelope."""
    page = (
        f"<!DOCTYPE html><html><head><title>api.cloudflare.com | {status}: Web server "
        "error</title></head><body><h1>Error code {status}</h1>Cloudflare Ray ID: "
        "0123456789abcdef</body></html>"
    )
    return respond(status, page.encode(), "text/html; charset=UTF-8")


@dataclass(frozen=True)
class Scenario:
    """A script for the server, and what the client must do against it."""

    name: str
    script: tuple[Behaviour, ...]
    attempts: int  # requests the server must receive
    outcome: type[VectorizeError] | None  # None: every vector asked for is returned
    ids: tuple[str, ...] = ("a", "b")
    max_retries: int = 2
    max_concurrency: int = 8
    timeout: Timeout = FAST
    slept: tuple[float, ...] | None = None  # retry waits asked for, when they are the point
    unfetched: tuple[str, ...] | None = None  # default: every id asked for
    redirect_status: int | None = None  # answer with a redirect to a second server
    backoff: bool = False  # the retry waits must be the ordinary backoff (jittered)
    auth: str = "token"  # or "global-key" (X-Auth-Email / X-Auth-Key)
    # The caller passes an httpx client of its own: "plain", or "follows redirects".
    caller_client: str | None = None
    proxy_variable: str | None = None  # set to a fake proxy on 127.0.0.1 during the call
    proxied: int = 0  # requests (CONNECT included) the proxy must receive
    tls: bool = False  # the server speaks https, with a test CA in SSL_CERT_FILE
    env: tuple[tuple[str, str], ...] = ()  # more environment during the call
    base_url: str | None = None  # instead of the server's
    without_module: str | None = None  # behave as if this module were not installed

    @property
    def time_bound(self) -> float:
        """A generous bound on the call's duration: it must not hang."""
        return self.timeout.total * self.attempts + 2.0

    @property
    def expected_unfetched(self) -> tuple[str, ...]:
        """The ids the raised error must name as not fetched."""
        return self.ids if self.unfetched is None else self.unfetched


def _retried_statuses() -> list[Scenario]:
    scenarios = []
    for status in (500, 502, 503, 504):
        scenarios.append(
            Scenario(
                f"{status} then 200",
                (respond_json(status, SERVER_DOWN), found),
                attempts=2,
                outcome=None,
            )
        )
        scenarios.append(
            Scenario(
                f"{status} past the retry budget",
                (respond_json(status, SERVER_DOWN),),
                attempts=3,
                outcome=InternalServerError,
            )
        )
    return scenarios


MB = 1000 * 1000
MIB = 1024 * 1024


def deep(depth: int) -> bytes:
    """JSON arrays nested depth levels deep."""
    return b"[" * depth + b"]" * depth


def with_vector(metadata: bytes = b"{}", values: bytes = b"[0.5]") -> bytes:
    """A success envelope around vector "a" with this metadata and these values (raw JSON)."""
    record = b'{"id": "a", "values": %s, "metadata": %s}' % (values, metadata)
    return b'{"success": true, "errors": [], "messages": [], "result": [%s]}' % record


def _hostile_json() -> list[Scenario]:
    """JSON no parser should be trusted with: typed errors, never bare ones from inside."""
    return [
        *(
            Scenario(
                f"200 whose metadata nests {depth:,} deep",
                (respond(200, with_vector(deep(depth))),),
                attempts=1,
                outcome=APIResponseValidationError,
            )
            for depth in (101, 1_100, 100_000)
        ),
        Scenario(
            "500 whose error body nests 100,000 deep",
            (respond(500, deep(100_000)),),
            attempts=3,
            outcome=InternalServerError,
        ),
        Scenario(
            "200 with a 401-digit integer among values",
            (respond(200, with_vector(values=b"[" + b"9" * 401 + b"]")),),
            attempts=1,
            outcome=APIResponseValidationError,
        ),
        *(
            Scenario(
                f"200 with {literal.decode()} among values",
                (respond(200, with_vector(values=b"[0.5, %s]" % literal)),),
                attempts=1,
                outcome=APIResponseValidationError,
            )
            for literal in (b"NaN", b"-Infinity", b"1e400")
        ),
    ]


def _unusable_retry_after() -> list[Scenario]:
    """A wait that is no wait counts as absent: the ordinary backoff, then the answer."""
    return [
        Scenario(
            f"429 {header}: {value}, then 200",
            (respond_json(429, RATE_LIMITED, **{header: value}), found),
            attempts=2,
            outcome=None,
            backoff=True,
        )
        for header, value in (
            ("Retry-After", "NaN"),
            ("retry-after-ms", "NaN"),
            ("Retry-After", "-1"),
            ("Retry-After", "-inf"),
            ("Retry-After", "Mon, 01 Jan 1990 00:00:00 GMT"),
        )
    ]


def _oversized() -> list[Scenario]:
    """Bodies past the cap (16 MiB by default) end in ResponseTooLargeError while reading."""
    return [
        Scenario(
            "200 declaring a 500 MB body",
            (declared_body(500 * MB),),
            attempts=1,
            outcome=ResponseTooLargeError,
        ),
        Scenario(
            "200 with a 500 MB body of undeclared size",
            (undeclared_body(500 * MB),),
            attempts=1,
            outcome=ResponseTooLargeError,
        ),
        *(
            Scenario(
                f"200 {encoding} bomb: 64 MiB of zeros in about 64 KB",
                (compression_bomb(64 * MIB, encoding),),
                attempts=1,
                outcome=ResponseTooLargeError,
            )
            for encoding in ("gzip", "deflate")
        ),
        Scenario(
            "200 with more vectors than ids asked",
            (respond_json(200, envelope([vector("a"), vector("b"), vector("c")])),),
            attempts=1,
            outcome=APIResponseValidationError,
        ),
        Scenario(
            "200 with an id not asked for",
            (respond_json(200, envelope([vector("a"), vector("someone-else")])),),
            attempts=1,
            outcome=APIResponseValidationError,
        ),
    ]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "429 Retry-After: 1, then 200",
        (respond_json(429, RATE_LIMITED, Retry_After="1"), found),
        attempts=2,
        outcome=None,
        slept=(1.0,),
    ),
    Scenario(
        "429 past the retry budget",
        (respond_json(429, RATE_LIMITED, Retry_After="1"),),
        attempts=3,
        outcome=RateLimitError,
        slept=(1.0, 1.0),
    ),
    *_retried_statuses(),
    *(
        Scenario(f"HTML edge page {status}", (edge_page(status),), 3, InternalServerError)
        for status in (502, 520, 521, 522, 523, 524, 525, 526)
    ),
    Scenario(
        "200 with a text/html body",
        (respond(200, b"<html><body>Maintenance</body></html>", "text/html"),),
        attempts=1,
        outcome=APIResponseValidationError,
    ),
    Scenario(
        "200 with truncated JSON",
        (respond(200, b'{"success": true, "errors": [], "messages": [], "result": [{"id"'),),
        attempts=1,
        outcome=APIResponseValidationError,
    ),
    Scenario(
        "200 whose envelope says success: false",
        (respond_json(200, failure_body(10000, "Authentication error")),),
        attempts=1,
        outcome=APIResponseValidationError,
    ),
    Scenario(
        "200 with JSON that is not the envelope",
        (respond_json(200, {"result": [{"id": "a", "values": [1.0]}]}),),
        attempts=1,
        outcome=APIResponseValidationError,
    ),
    Scenario(
        "200 with a result that is not a list of vectors",
        (respond_json(200, envelope({"a": [1.0]})),),
        attempts=1,
        outcome=APIResponseValidationError,
    ),
    Scenario(
        "connection reset before the body",
        (reset_before_body,),
        attempts=3,
        outcome=APIConnectionError,
    ),
    Scenario(
        "connection reset before the body, then 200",
        (reset_before_body, found),
        attempts=2,
        outcome=None,
    ),
    Scenario(
        "connection reset during the body",
        (reset_during_body,),
        attempts=3,
        outcome=APIConnectionError,
    ),
    Scenario(
        "connection closed during the body",
        (close_during_body,),
        attempts=3,
        outcome=APIConnectionError,
    ),
    Scenario(
        "accepts and never answers",
        (never_answer,),
        attempts=2,
        outcome=APITimeoutError,
        max_retries=1,
    ),
    Scenario(
        "drips the body, a byte every 0.2 s",
        (drip(0.2, head_first=True),),
        attempts=1,
        outcome=APITimeoutError,
        max_retries=0,
    ),
    Scenario(
        "drips head and body, a byte every 0.2 s",
        (drip(0.2),),
        attempts=1,
        outcome=APITimeoutError,
        max_retries=0,
    ),
    *(
        Scenario(
            f"{status} redirect to another host:port",
            (),
            attempts=1,
            outcome=APIStatusError,
            redirect_status=status,
        )
        for status in (301, 302, 303, 307, 308)
    ),
    *(
        Scenario(
            f"{status} redirect, the caller's own client follows redirects, Global API key",
            (),
            attempts=1,
            outcome=APIStatusError,
            redirect_status=status,
            auth="global-key",
            caller_client="follows redirects",
        )
        for status in (301, 302, 303, 307, 308)
    ),
    Scenario(
        "307 redirect, the caller's own client follows redirects, API token",
        (),
        attempts=1,
        outcome=APIStatusError,
        redirect_status=307,
        caller_client="follows redirects",
    ),
    *(
        Scenario(
            f"{variable} set, plain-http loopback base URL: straight to the server",
            (found,),
            attempts=1,
            outcome=None,
            proxy_variable=variable,
            auth=auth,
        )
        for variable, auth in (("HTTP_PROXY", "token"), ("ALL_PROXY", "global-key"))
    ),
    Scenario(
        "HTTPS_PROXY set, https base URL: a CONNECT tunnel, the proxy relays only TLS",
        (found,),
        attempts=1,
        outcome=None,
        proxy_variable="HTTPS_PROXY",
        proxied=1,
        tls=True,
        auth="global-key",
    ),
    Scenario(
        "HTTP_PROXY set, the caller's own client would send plain http through it",
        (found,),
        attempts=0,
        outcome=ConfigurationError,
        proxy_variable="HTTP_PROXY",
        caller_client="plain",
    ),
    Scenario(
        "ALL_PROXY socks5:// without httpx's socks extra, https base URL",
        (found,),
        attempts=0,
        outcome=ConfigurationError,
        tls=True,
        env=(("ALL_PROXY", "socks5://127.0.0.1:9"),),
        without_module="socksio",
    ),
    Scenario(
        "ALL_PROXY socks5:// without the socks extra, plain-http loopback: not needed",
        (found,),
        attempts=1,
        outcome=None,
        env=(("ALL_PROXY", "socks5://127.0.0.1:9"),),
        without_module="socksio",
    ),
    Scenario(
        "SSL_CERT_FILE names a missing file, https base URL",
        (found,),
        attempts=0,
        outcome=ConfigurationError,
        tls=True,
        env=(("SSL_CERT_FILE", "/nonexistent/ca.pem"),),
    ),
    *(
        Scenario(f"base URL {url!r}", (found,), 0, InvalidInputError, base_url=url)
        for url in (
            "http://xn--a.example/client/v4",  # a malformed IDNA label (idna raises)
            "https://xn--/client/v4",
            "https://api..example/client/v4",
            "https://api example.com/client/v4",
            "https://api.cloudflare.com:99999/client/v4",
            "https://user:secret@api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4?x=1",
        )
    ),
    Scenario(
        "batch of 3 chunks, the 2nd refused (400), in turn",
        (failing_for("id-25", respond_json(400, failure_body(40001, "invalid payload"))),),
        attempts=2,  # chunk 1 fetched, chunk 2 refused, chunk 3 never sent
        outcome=BadRequestError,
        ids=BATCH,
        max_concurrency=1,
        unfetched=BATCH[20:],
    ),
    Scenario(
        "batch of 3 chunks, the 3rd down for good (503), concurrently",
        (failing_for("id-45", respond_json(503, SERVER_DOWN)),),
        attempts=5,  # chunks 1 and 2 once, chunk 3 three times
        outcome=InternalServerError,
        ids=BATCH,
        unfetched=BATCH[40:],
    ),
    Scenario(
        "batch of 3 chunks, one reset once, concurrently",
        (failing_for("id-45", reset_before_body, times=1),),
        attempts=4,
        outcome=None,
        ids=BATCH,
    ),
    *_hostile_json(),
    *_unusable_retry_after(),
    *_oversized(),
)


@dataclass
class Outcome:
    """What happened when a client ran a scenario."""

    scenario: Scenario
    client: str
    attempts: int
    elapsed: float
    result: VectorList | None = None
    error: VectorizeError | None = None
    slept: list[float] = field(default_factory=list)
    elsewhere: int = 0  # requests the redirect target received
    proxied: int = 0  # requests the proxy received
    relayed: int = 0  # bytes the proxy relayed from the client through a CONNECT tunnel
    leaks: list[str] = field(default_factory=list)  # where a credential was seen in transit

    @property
    def summary(self) -> str:
        """The exception class, or the size of the result."""
        if self.error is not None:
            return type(self.error).__name__
        if self.result is None:
            return "nothing"
        return f"VectorList ({len(self.result)} found, {len(self.result.missing_ids)} missing)"

    def problems(self) -> list[str]:
        """Every way this outcome differs from what the scenario fixes; empty when it holds."""
        expected, found_problems = self.scenario, []
        if self.attempts != expected.attempts:
            found_problems.append(f"{self.attempts} attempts, expected {expected.attempts}")
        if expected.outcome is None:
            if self.result is None or [v.id for v in self.result] != list(expected.ids):
                found_problems.append(f"expected every vector asked for, got {self.summary}")
            elif self.result.missing_ids:
                found_problems.append(f"missing ids {self.result.missing_ids}")
        elif type(self.error) is not expected.outcome:
            found_problems.append(f"raised {self.summary}, expected {expected.outcome.__name__}")
        elif isinstance(self.error, APIError) and (
            self.error.unfetched_ids != expected.expected_unfetched
        ):
            found_problems.append(
                f"unfetched_ids {self.error.unfetched_ids!r}, "
                f"expected {expected.expected_unfetched!r}"
            )
        if expected.slept is not None and tuple(self.slept) != expected.slept:
            found_problems.append(f"waited {self.slept}, expected {expected.slept}")
        if expected.backoff and not all(
            (1 - JITTER) * backoff <= wait <= backoff
            for backoff, wait in ((INITIAL_RETRY_DELAY * 2**n, w) for n, w in enumerate(self.slept))
        ):
            found_problems.append(f"waited {self.slept}, not the ordinary backoff")
        if self.elapsed >= expected.time_bound:
            found_problems.append(f"took {self.elapsed:.1f} s, bound {expected.time_bound:.1f} s")
        if self.elsewhere:
            found_problems.append(f"the redirect target received {self.elsewhere} request(s)")
        if self.proxied != expected.proxied:
            found_problems.append(f"the proxy received {self.proxied}, expected {expected.proxied}")
        found_problems += [f"a credential reached {where}" for where in self.leaks]
        return found_problems

    @property
    def others(self) -> str:
        """What the redirect target and the proxy received, for the reliability table."""
        seen = []
        if self.scenario.redirect_status is not None:
            seen.append(f"redirect target: {self.elsewhere} request(s)")
        if self.scenario.proxy_variable is not None:
            seen.append(f"proxy: {self.proxied} request(s), {self.relayed:,} bytes tunnelled")
        if seen:
            seen.append(f"credential seen: {', '.join(self.leaks) or 'nowhere'}")
        return "; ".join(seen) or "-"


def _redirecting(status: int, target: FaultServer) -> Behaviour:
    def behaviour(exchange: Exchange) -> bool:
        location = f"http://127.0.0.1:{target.port}{exchange.request.target}"
        return redirect(status, location)(exchange)

    return behaviour


def run(scenario: Scenario, client: str) -> Outcome:
    """Run scenario with the sync or async client against fresh servers on 127.0.0.1."""
    relayed: list[bytes] = []
    with ExitStack() as stack:
        authority = trustme.CA() if scenario.tls else None
        elsewhere = stack.enter_context(FaultServer([found]))
        fake_proxy = stack.enter_context(FaultServer([proxy(relayed)]))
        script: Sequence[Behaviour] = scenario.script
        if scenario.redirect_status is not None:
            script = (_redirecting(scenario.redirect_status, elsewhere),)
        server = stack.enter_context(FaultServer(list(script), tls=_server_tls(authority)))
        env = dict(scenario.env)
        if scenario.proxy_variable is not None:
            env[scenario.proxy_variable] = f"http://127.0.0.1:{fake_proxy.port}"
        if authority is not None and "SSL_CERT_FILE" not in env:
            env["SSL_CERT_FILE"] = stack.enter_context(_ca_file(authority))
        stack.enter_context(_environment(env, scenario.without_module))
        slept: list[float] = []
        call = _sync_call if client == "sync" else _async_call
        start = time.monotonic()
        result: VectorList | None = None
        error: VectorizeError | None = None
        try:
            result = call(scenario, scenario.base_url or server.base_url, slept.append)
        except VectorizeError as raised:
            error = raised
        elapsed = time.monotonic() - start
    leaks = [
        where
        for where, requests in (
            ("the redirect target", elsewhere.requests),
            ("the proxy", fake_proxy.requests),
        )
        if any(name in request.headers for request in requests for name in CREDENTIAL_HEADERS)
    ]
    if any(secret.encode() in b"".join(relayed) for secret in SECRETS):
        leaks.append("the proxy's tunnel (in clear)")
    return Outcome(
        scenario,
        client,
        server.attempts,
        elapsed,
        result,
        error,
        slept,
        elsewhere.attempts,
        fake_proxy.attempts,
        sum(map(len, relayed)),
        leaks,
    )


def _server_tls(authority: trustme.CA | None) -> ssl.SSLContext | None:
    if authority is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@contextmanager
def _ca_file(authority: trustme.CA) -> Iterator[str]:
    """The test CA's certificate in a PEM file, for SSL_CERT_FILE."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ca.pem"
        authority.cert_pem.write_to_path(str(path))
        yield str(path)


@contextmanager
def _environment(env: dict[str, str], without_module: str | None) -> Iterator[None]:
    """Set exactly these proxy and CA variables (the others cleared), and hide a module."""
    saved = {name: os.environ.get(name) for name in (*PROXY_ENVIRONMENT, *env)}
    saved_module = sys.modules.get(without_module) if without_module else None
    try:
        for name in PROXY_ENVIRONMENT:
            os.environ.pop(name, None)
        os.environ.update(env)
        if without_module:
            sys.modules[without_module] = None  # type: ignore[assignment]  # import fails
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if without_module:
            if saved_module is None:
                sys.modules.pop(without_module, None)
            else:
                sys.modules[without_module] = saved_module


def _auth(scenario: Scenario) -> ApiToken | GlobalApiKey:
    if scenario.auth == "global-key":
        return GlobalApiKey(email=EMAIL, key=KEY)
    return ApiToken(TOKEN)


def _caller_client_options(scenario: Scenario) -> dict[str, Any]:
    return {"follow_redirects": scenario.caller_client == "follows redirects"}


def _sync_call(scenario: Scenario, base_url: str, record: Callable[[float], None]) -> VectorList:
    http = httpx.Client(**_caller_client_options(scenario)) if scenario.caller_client else None
    try:
        with Vectorize(
            account_id=ACCOUNT,
            auth=_auth(scenario),
            base_url=base_url,
            timeout=scenario.timeout,
            max_retries=scenario.max_retries,
            max_concurrency=scenario.max_concurrency,
            pacing=None,
            http_client=http,
            sleep=record,
        ) as client:
            return client.get_by_ids("my-index", scenario.ids)
    finally:
        if http is not None:
            http.close()


def _async_call(scenario: Scenario, base_url: str, record: Callable[[float], None]) -> VectorList:
    async def sleep(seconds: float) -> None:
        record(seconds)

    async def call() -> VectorList:
        async with AsyncExitStack() as stack:
            http = None
            if scenario.caller_client:
                http = await stack.enter_async_context(
                    httpx.AsyncClient(**_caller_client_options(scenario))
                )
            client = await stack.enter_async_context(
                AsyncVectorize(
                    account_id=ACCOUNT,
                    auth=_auth(scenario),
                    base_url=base_url,
                    timeout=scenario.timeout,
                    max_retries=scenario.max_retries,
                    max_concurrency=scenario.max_concurrency,
                    pacing=None,
                    http_client=http,
                    sleep=sleep,
                )
            )
            return await client.get_by_ids("my-index", scenario.ids)

    return asyncio.run(call())


# --- the client's own life: interrupts, closing, event loops ------------------------------------

LIFECYCLE_IDS = tuple(f"id-{n:04d}" for n in range(2000))  # 100 chunks of 20
LIFECYCLE_CONCURRENCY = 4
STOP_BOUND = 5.0  # seconds: a generous bound proving "stops at once" (the figure is printed)


@dataclass
class LifeOutcome:
    """What happened when a client was interrupted, closed, or moved to another loop."""

    name: str
    client: str
    raised: str  # the exception's class name, or "nothing"
    expected: str
    to_stop: float  # seconds from the event to the call's end (and the client's close)
    sent_after: int  # requests the server received after the event
    allowed_after: int  # at most the requests in flight at the event

    def problems(self) -> list[str]:
        """Every way this differs from what is required; empty when it holds."""
        found_problems = []
        if self.raised != self.expected:
            found_problems.append(f"raised {self.raised}, expected {self.expected}")
        if self.to_stop >= STOP_BOUND:
            found_problems.append(f"took {self.to_stop:.1f} s to stop, bound {STOP_BOUND} s")
        if self.sent_after > self.allowed_after:
            found_problems.append(
                f"{self.sent_after} requests sent after, at most {self.allowed_after} allowed"
            )
        return found_problems


def _client_kwargs(base_url: str, **overrides: object) -> dict[str, object]:
    return {
        "account_id": ACCOUNT,
        "auth": ApiToken(TOKEN),
        "base_url": base_url,
        "max_concurrency": LIFECYCLE_CONCURRENCY,
        "pacing": None,
        **overrides,
    }


@dataclass
class _Event:
    """When the interrupt or close happened, and how many requests had arrived by then."""

    server: FaultServer
    at: float = 0.0
    sent: int = 0

    def fire(self, action: Callable[[], object]) -> None:
        self.sent, self.at = self.server.attempts, time.monotonic()
        action()


def _ctrl_c() -> None:
    """Send SIGINT to the main thread, as Ctrl-C does."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def _settle(server: FaultServer, event: _Event) -> int:
    """Wait a moment for stray requests to arrive; return how many came after the event."""
    time.sleep(0.5)
    return server.attempts - event.sent


def _interrupt(client: str, pacing: RateLimit | None) -> LifeOutcome:
    """Interrupt (as Ctrl-C does) a call of 2,000 ids against a server taking 0.1 s a request."""
    name = "interrupt during a pacing wait" if pacing else "interrupt mid-fetch"
    with FaultServer([slow(0.1)]) as server:
        event = _Event(server)
        timer = threading.Timer(0.35, event.fire, args=(_ctrl_c,))
        raised = "nothing"
        kwargs = _client_kwargs(server.base_url, pacing=pacing)
        timer.start()
        try:
            if client == "sync":
                with Vectorize(**kwargs) as sync:  # type: ignore[arg-type]
                    sync.get_by_ids("my-index", LIFECYCLE_IDS)
            else:
                asyncio.run(_async_get(kwargs))
            time.sleep(2)  # the interrupt must land before the with block ends
        except KeyboardInterrupt:
            raised = "KeyboardInterrupt"
        to_stop = time.monotonic() - event.at
        timer.cancel()
        after = _settle(server, event)
    return LifeOutcome(
        name, client, raised, "KeyboardInterrupt", to_stop, after, LIFECYCLE_CONCURRENCY
    )


async def _async_get(kwargs: dict[str, object]) -> VectorList:
    async with AsyncVectorize(**kwargs) as client:  # type: ignore[arg-type]
        return await client.get_by_ids("my-index", LIFECYCLE_IDS)


def _close_in_flight(client: str, pacing: RateLimit | None = None) -> LifeOutcome:
    """close() from elsewhere while a call of 2,000 ids is in flight (or in a pacing wait)."""
    with FaultServer([slow(0.1)]) as server:
        event = _Event(server)
        raised = "nothing"
        kwargs = _client_kwargs(server.base_url, pacing=pacing)
        try:
            if client == "sync":
                sync = Vectorize(**kwargs)  # type: ignore[arg-type]
                threading.Timer(0.35, event.fire, args=(sync.close,)).start()
                sync.get_by_ids("my-index", LIFECYCLE_IDS)
            else:
                asyncio.run(_close_async_in_flight(kwargs, event))
        except VectorizeError as error:
            raised = type(error).__name__
        to_stop = time.monotonic() - event.at
        after = _settle(server, event)
    name = "close() during a pacing wait" if pacing else "close() while a call is in flight"
    return LifeOutcome(
        name, client, raised, "ClientClosedError", to_stop, after, LIFECYCLE_CONCURRENCY
    )


async def _close_async_in_flight(kwargs: dict[str, object], event: _Event) -> None:
    client = AsyncVectorize(**kwargs)  # type: ignore[arg-type]

    async def close_soon() -> None:
        await asyncio.sleep(0.35)
        event.sent, event.at = event.server.attempts, time.monotonic()
        await client.aclose()

    closing = asyncio.ensure_future(close_soon())
    try:
        await client.get_by_ids("my-index", LIFECYCLE_IDS)
    finally:
        await closing


def _call_after_close(client: str) -> LifeOutcome:
    with FaultServer([found]) as server:
        event = _Event(server, at=time.monotonic())
        raised = "nothing"
        kwargs = _client_kwargs(server.base_url)
        try:
            if client == "sync":
                sync = Vectorize(**kwargs)  # type: ignore[arg-type]
                sync.close()
                event.at = time.monotonic()
                sync.get_by_ids("my-index", ["a"])
            else:
                asyncio.run(_async_after_close(kwargs, event))
        except VectorizeError as error:
            raised = type(error).__name__
        to_stop = time.monotonic() - event.at
        after = _settle(server, event)
    return LifeOutcome(
        "a call after close()", client, raised, "ClientClosedError", to_stop, after, 0
    )


async def _async_after_close(kwargs: dict[str, object], event: _Event) -> None:
    client = AsyncVectorize(**kwargs)  # type: ignore[arg-type]
    await client.aclose()
    event.at = time.monotonic()
    await client.get_by_ids("my-index", ["a"])


def _second_loop(client: str) -> LifeOutcome:
    """One AsyncVectorize used in a first asyncio.run, then in a second."""
    with FaultServer([found]) as server:
        kwargs = _client_kwargs(server.base_url)
        shared = AsyncVectorize(**kwargs)  # type: ignore[arg-type]
        asyncio.run(shared.get_by_ids("my-index", ["a"]))
        event = _Event(server)
        event.fire(lambda: None)
        raised = "nothing"
        try:
            asyncio.run(shared.get_by_ids("my-index", ["b"]))
        except VectorizeError as error:
            raised = type(error).__name__
        to_stop = time.monotonic() - event.at
        after = _settle(server, event)
    name = "AsyncVectorize used from a second event loop"
    return LifeOutcome(name, client, raised, "EventLoopMismatchError", to_stop, after, 0)


def _stream_dropped(client: str) -> LifeOutcome:
    """Leave an iter_by_ids loop after the first vector: what is not yet sent is cancelled."""
    with FaultServer([slow(0.1)]) as server:
        event = _Event(server)
        kwargs = _client_kwargs(server.base_url)
        if client == "sync":
            with Vectorize(**kwargs) as sync:  # type: ignore[arg-type]
                for _ in sync.iter_by_ids("my-index", LIFECYCLE_IDS):
                    event.fire(lambda: None)
                    break
                to_stop = time.monotonic() - event.at
        else:
            to_stop = asyncio.run(_async_stream_dropped(kwargs, event))
        after = _settle(server, event)
    return LifeOutcome(
        "iter_by_ids left after the first vector", client, "nothing", "nothing", to_stop, after,
        LIFECYCLE_CONCURRENCY,
    )  # fmt: skip


async def _async_stream_dropped(kwargs: dict[str, object], event: _Event) -> float:
    async with AsyncVectorize(**kwargs) as client:  # type: ignore[arg-type]
        async with client.iter_by_ids("my-index", LIFECYCLE_IDS) as stream:
            async for _ in stream:
                event.fire(lambda: None)
                break
        return time.monotonic() - event.at


LIFECYCLE: tuple[tuple[str, Callable[[str], LifeOutcome], tuple[str, ...]], ...] = (
    ("interrupt mid-fetch", lambda client: _interrupt(client, None), CLIENTS),
    (
        "interrupt during a pacing wait",
        lambda client: _interrupt(client, RateLimit(8, 600.0)),
        CLIENTS,
    ),
    ("close() while a call is in flight", _close_in_flight, CLIENTS),
    (
        "close() during a pacing wait",
        lambda client: _close_in_flight(client, RateLimit(8, 600.0)),
        CLIENTS,
    ),
    ("a call after close()", _call_after_close, CLIENTS),
    ("AsyncVectorize used from a second event loop", _second_loop, ("async",)),
    ("iter_by_ids left after the first vector", _stream_dropped, CLIENTS),
)
