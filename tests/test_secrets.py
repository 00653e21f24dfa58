"""A credential never shows in a repr, an exception or a log line, debug included."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import vcr

from cf_vectorize import (
    APIConnectionError,
    APIError,
    ApiToken,
    AsyncVectorize,
    GlobalApiKey,
    InvalidInputError,
    Vectorize,
)
from scripts.scan_cassettes import scan_text
from tests import faultserver
from tests.clientkit import ACCOUNT, TOKEN, Runner, Server, failure, found
from tests.conftest import response_cases
from tests.faults import SCENARIOS, run
from tests.faultserver import FaultServer

KEY = "c0ffee0123456789abcdef0123456789abcde"
EMAIL = "secret.owner@example.com"
SECRETS = (TOKEN, KEY, EMAIL)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("auth", [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)])
def test_client_repr_hides_the_credential(auth: ApiToken | GlobalApiKey) -> None:
    client = Vectorize(account_id=ACCOUNT, auth=auth)
    assert_clean(repr(client) + str(client) + repr(client._settings))
    assert ACCOUNT in repr(client)


@pytest.mark.parametrize("auth", [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)])
def test_nothing_logged_or_raised_shows_the_credential(
    runner: Runner, auth: ApiToken | GlobalApiKey, caplog: pytest.LogCaptureFixture
) -> None:
    answers = [
        lambda r, i: failure(503, 10001, "down"),
        lambda r, i: failure(401, 10000, "Authentication error"),
    ]
    with caplog.at_level(logging.DEBUG), pytest.raises(APIError) as caught:
        runner.get(Server(answers), "my-index", ["a"], auth=auth)
    error = caught.value
    shown = "".join(traceback.format_exception(error)) + repr(error) + str(vars(error))
    assert_clean(shown)
    assert caplog.records, "the retry should have been logged"
    assert_clean("\n".join(r.getMessage() for r in caplog.records))
    assert_clean(caplog.text)


def test_connection_error_text_hides_the_credential(runner: Runner) -> None:
    def down(request: httpx.Request, ids: list[str]) -> httpx.Response:
        raise httpx.ConnectError(f"failed {request.url}", request=request)

    with pytest.raises(APIError) as caught:
        runner.get(Server([down]), "my-index", ["a"], max_retries=0)
    assert_clean("".join(traceback.format_exception(caught.value)))


def test_success_logs_hide_the_credential(runner: Runner, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        runner.get(Server([found()]), "my-index", ["a"], auth=GlobalApiKey(email=EMAIL, key=KEY))
    assert_clean(caplog.text)


def test_bad_authorization_header_error_is_clean(runner: Runner) -> None:
    body = response_cases()["bad-authorization-header"]["body"]
    with pytest.raises(APIError) as caught:
        runner.get(Server([lambda r, i: httpx.Response(400, json=body)]), "my-index", ["a"])
    assert_clean(str(caught.value))


# --- over real sockets: logs (httpx and httpcore at debug too), cassettes, TLS ----------


def _real_client(kind: str, auth: ApiToken | GlobalApiKey, base_url: str, **extra: Any) -> Any:
    cls = Vectorize if kind == "sync" else AsyncVectorize
    return cls(account_id=ACCOUNT, auth=auth, base_url=base_url, pacing=None, **extra)


def _get(kind: str, client: Any, ids: list[str]) -> Any:
    if kind == "sync":
        with client:
            return client.get_by_ids("my-index", ids)

    async def run() -> Any:
        async with client:
            return await client.get_by_ids("my-index", ids)

    return asyncio.run(run())


AUTHS = [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("auth", AUTHS, ids=["token", "global-key"])
def test_debug_logs_of_every_library_over_a_socket_hide_the_credential(
    kind: str, auth: ApiToken | GlobalApiKey, caplog: pytest.LogCaptureFixture
) -> None:
    script = [
        faultserver.respond_json(503, faultserver.failure_body(10001, "down")),
        faultserver.reset_before_body,
        faultserver.respond_json(401, faultserver.failure_body(10000, "Authentication error")),
    ]
    with (
        caplog.at_level(logging.DEBUG),  # the root logger: httpx, httpcore, cf_vectorize
        FaultServer(script) as server,
        pytest.raises(APIError) as caught,
    ):
        client = _real_client(kind, auth, server.base_url, sleep=_no_sleep(kind))
        _get(kind, client, ["a"])
    assert server.attempts == 3
    assert {"httpcore.http11", "cf_vectorize"} <= {r.name for r in caplog.records}
    assert_clean(caplog.text + "".join(traceback.format_exception(caught.value)))
    assert_clean(repr(client) + str(vars(caught.value)))


def _no_sleep(kind: str) -> Any:
    if kind == "sync":
        return lambda seconds: None

    async def sleep(seconds: float) -> None:
        return None

    return sleep


@pytest.mark.parametrize("auth", AUTHS, ids=["token", "global-key"])
def test_a_cassette_recorded_with_the_project_settings_holds_no_credential(
    auth: ApiToken | GlobalApiKey, vcr_config: dict[str, Any], tmp_path: Path
) -> None:
    recorder = vcr.VCR(**vcr_config, record_mode="all")
    cassette = tmp_path / "recorded.yaml"
    with FaultServer([faultserver.found]) as server, recorder.use_cassette(str(cassette)):
        # vcrpy records through httpx's own transport classes only, not DeadlineTransport.
        client = _real_client("sync", auth, server.base_url, transport=httpx.HTTPTransport())
        _get("sync", client, ["a", "b"])
    assert server.requests[0].headers.get(
        "authorization", server.requests[0].headers.get("x-auth-key")
    )
    text = cassette.read_text()
    assert "get_by_ids" in text  # the exchange was recorded
    assert_clean(text)
    assert scan_text(text, cassette, secrets=SECRETS) == []


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_tls_is_verified_by_default(kind: str) -> None:
    client = _real_client(kind, ApiToken(TOKEN), "https://api.cloudflare.com/client/v4")
    context = client._http._transport._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_untrusted_certificate_ends_the_call_before_anything_is_sent(kind: str) -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    with FaultServer([faultserver.found], tls=server_context) as server:
        with pytest.raises(APIConnectionError) as caught:
            _get(kind, _real_client(kind, ApiToken(TOKEN), server.base_url, max_retries=0), ["a"])
        assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
        for _ in range(100):  # the server's side of the failed handshake ends a little later
            if server.handshakes_failed:
                break
            time.sleep(0.05)
        assert server.requests == [] and server.handshakes_failed == 1
        # The same server, trusted, answers: the refusal was the verification's doing.
        trusting = authority.configure_trust
        verify = ssl.create_default_context()
        trusting(verify)
        if kind == "sync":
            http: Any = httpx.Client(verify=verify)
        else:
            http = httpx.AsyncClient(verify=verify)
        client = _real_client(kind, ApiToken(TOKEN), server.base_url, http_client=http)
        assert [v.id for v in _get(kind, client, ["a"])] == ["a"]
        if isinstance(http, httpx.Client):  # an async one went with its event loop
            http.close()
        assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.example.com/client/v4",
        "http://127.0.0.1.example.com/client/v4",
        "http://0.0.0.0:8787/client/v4",
        "http://[::]:8787/client/v4",
        "http://192.168.1.10/client/v4",
    ],
)
def test_plain_http_to_look_alike_hosts_is_refused(url: str) -> None:
    with pytest.raises(InvalidInputError, match="plain http"):
        Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=url)


def test_plain_http_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://api.example.com/client/v4")
    with pytest.raises(InvalidInputError, match="plain http"):
        AsyncVectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN))


def test_the_redirect_scenarios_prove_no_credential_leaves_for_another_host() -> None:
    """tests/test_faults.py runs them; this names them here, with the other secret checks."""
    redirects = [s for s in SCENARIOS if s.redirect_status is not None]
    assert {s.redirect_status for s in redirects} >= {301, 302, 307, 308}
    outcome = run(redirects[0], "sync")
    assert outcome.problems() == [] and outcome.elsewhere == 0
