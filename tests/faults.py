"""The fault scenarios: one table, run by tests/test_faults.py and by `make reliability`.

Each scenario fixes what a client must do against a misbehaving server on 127.0.0.1: how
many requests it sends, and whether it returns every vector asked for or raises one of our
exceptions naming every id it did not fetch. Retry waits are recorded, not slept, except
where time is the point (timeouts), and those use short timeouts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cf_vectorize import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ApiToken,
    AsyncVectorize,
    BadRequestError,
    InternalServerError,
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
    redirect,
    reset_before_body,
    reset_during_body,
    respond,
    respond_json,
    undeclared_body,
    vector,
)

ACCOUNT = "0123456789abcdef0123456789abcdef"
TOKEN = "tok_fault_0123456789ABCDEFGHIJKLMNOPQRS"  # must never show up anywhere
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
        return found_problems


def _redirecting(status: int, target: FaultServer) -> Behaviour:
    def behaviour(exchange: Exchange) -> bool:
        location = f"http://127.0.0.1:{target.port}{exchange.request.target}"
        return redirect(status, location)(exchange)

    return behaviour


def run(scenario: Scenario, client: str) -> Outcome:
    """Run scenario with the sync or async client against fresh servers on 127.0.0.1."""
    with FaultServer([found]) as elsewhere:
        script: Sequence[Behaviour] = scenario.script
        if scenario.redirect_status is not None:
            script = (_redirecting(scenario.redirect_status, elsewhere),)
        with FaultServer(list(script)) as server:
            slept: list[float] = []
            call = _sync_call if client == "sync" else _async_call
            start = time.monotonic()
            result: VectorList | None = None
            error: VectorizeError | None = None
            try:
                result = call(scenario, server.base_url, slept.append)
            except VectorizeError as raised:
                error = raised
            elapsed = time.monotonic() - start
        return Outcome(
            scenario, client, server.attempts, elapsed, result, error, slept, elsewhere.attempts
        )


def _sync_call(scenario: Scenario, base_url: str, record: Callable[[float], None]) -> VectorList:
    with Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        base_url=base_url,
        timeout=scenario.timeout,
        max_retries=scenario.max_retries,
        max_concurrency=scenario.max_concurrency,
        pacing=None,
        sleep=record,
    ) as client:
        return client.get_by_ids("my-index", scenario.ids)


def _async_call(scenario: Scenario, base_url: str, record: Callable[[float], None]) -> VectorList:
    async def sleep(seconds: float) -> None:
        record(seconds)

    async def call() -> VectorList:
        async with AsyncVectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            base_url=base_url,
            timeout=scenario.timeout,
            max_retries=scenario.max_retries,
            max_concurrency=scenario.max_concurrency,
            pacing=None,
            sleep=sleep,
        ) as client:
            return await client.get_by_ids("my-index", scenario.ids)

    return asyncio.run(call())
