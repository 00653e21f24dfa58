"""Faults of a real server on 127.0.0.1: every scenario of tests/faults.py, sync and async.

For each: how many requests were sent, which exception (or the whole result), the ids not
fetched named on the error, retry waits where they matter, and an end within a generous
bound (the "never hangs" property, not a performance figure).
"""

from __future__ import annotations

import traceback

import pytest

from cf_vectorize import APIStatusError, ApiToken, Timeout, Vectorize
from scripts import peak_memory
from tests.faults import (
    ACCOUNT,
    CLIENTS,
    LIFECYCLE,
    SCENARIOS,
    TOKEN,
    LifeOutcome,
    Outcome,
    Scenario,
    run,
)
from tests.faultserver import FaultServer, drip, found


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario: Scenario, client: str) -> None:
    outcome = run(scenario, client)
    assert outcome.problems() == []
    if outcome.error is not None:
        shown = "".join(traceback.format_exception(outcome.error)) + repr(vars(outcome.error))
        assert TOKEN not in shown


@pytest.mark.parametrize(
    ("name", "client"),
    [(name, client) for name, _, clients in LIFECYCLE for client in clients],
)
def test_lifecycle(name: str, client: str) -> None:
    """Interrupts, closing and event loops: the typed error (or stop), at once, nothing sent."""
    scenario = next(run for named, run, _ in LIFECYCLE if named == name)
    assert scenario(client).problems() == []


def test_the_check_of_a_lifecycle_outcome_can_fail() -> None:
    outcome = LifeOutcome("x", "sync", "RuntimeError", "ClientClosedError", 60.0, 9, 4)
    assert len(outcome.problems()) == 3  # the error, the time, the requests after


def test_the_table_covers_every_kind_of_fault() -> None:
    names = " ".join(s.name for s in SCENARIOS)
    for status in (429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 301, 302, 307):
        assert str(status) in names
    for words in ("reset before", "reset during", "never answers", "drips", "batch", "html"):
        assert words in names
    for words in ("nests", "401-digit", "NaN", "Retry-After: -1", "500 MB", "gzip bomb"):
        assert words in names
    for words in ("deflate bomb", "more vectors than", "not asked for", "undeclared"):
        assert words in names
    for words in ("follows redirects", "HTTP_PROXY", "ALL_PROXY", "HTTPS_PROXY", "socks5", "xn--"):
        assert words in names


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_memory_figures_come_from_a_call_that_ends_typed(kind: str) -> None:
    """scripts/peak_memory.py measures in a child process; the figures are printed, not checked."""
    case = next(case for case in peak_memory.CASES if "declaring" in case.name)
    report = peak_memory.measure(case, kind)
    assert report["outcome"] == "ResponseTooLargeError"
    assert float(report["peak_mib"]) >= float(report["before_mib"]) > 0  # type: ignore[arg-type]


def test_the_check_of_an_outcome_can_fail() -> None:
    scenario = next(s for s in SCENARIOS if s.name.startswith("500 then 200"))
    outcome = Outcome(scenario, "sync", attempts=3, elapsed=99.0, elsewhere=1, proxied=1)
    outcome.leaks.append("the proxy")
    # attempts, no result, time, redirect target, proxy, credential
    assert len(outcome.problems()) == 6


def test_the_proxy_scenarios_do_go_through_the_fake_proxy_when_it_is_used() -> None:
    """The https scenario proves the proxy variables reach the client: its proxy is used."""
    scenario = next(s for s in SCENARIOS if s.proxy_variable == "HTTPS_PROXY")
    outcome = run(scenario, "sync")
    assert outcome.problems() == [] and outcome.proxied == 1 and outcome.attempts == 1
    assert outcome.relayed > 0  # the request went through the tunnel, encrypted


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_an_error_naming_its_status(client: str, status: int) -> None:
    scenario = next(s for s in SCENARIOS if s.redirect_status == status)
    outcome = run(scenario, client)
    assert isinstance(outcome.error, APIStatusError)
    assert outcome.error.status_code == status
    assert outcome.elsewhere == 0


def test_the_fault_server_sees_the_credential_it_is_sent() -> None:
    """The redirect tests mean something only if the first server does receive it."""
    with FaultServer([found]) as server, client_for(server.base_url) as client:
        client.get_by_ids("my-index", ["a"])
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


SHORT = Timeout(total=0.5, connect=0.5)


def client_for(base_url: str, timeout: Timeout = SHORT) -> Vectorize:
    return Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        base_url=base_url,
        timeout=timeout,
        max_retries=0,
        pacing=None,
    )


def test_a_slow_but_timely_answer_is_read_whole() -> None:
    with (
        FaultServer([drip(0.002)]) as server,
        client_for(server.base_url, Timeout(total=30.0, connect=1.0)) as client,
    ):
        result = client.get_by_ids("my-index", ["a", "b"])
    assert [v.id for v in result] == ["a", "b"] and result.missing_ids == ()
