"""Keyword arguments win; the environment fills in; missing settings name argument and variable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    ConfigurationError,
    InvalidInputError,
    InvalidInputTypeError,
    Vectorize,
)
from tests.clientkit import Runner, Server, found

ENV_VARS = [
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_BASE_URL",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def sent(runner: Runner, **client: Any) -> httpx.Request:
    server = Server([found()])
    runner.get(server, "my-index", ["a"], **client)
    (request,) = server.requests
    return request


def test_everything_from_the_environment(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "env-account")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "env-token")
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "https://proxy.example.com/cf/v4/")
    request = sent(runner, account_id=None, auth=None)
    assert request.headers["authorization"] == "Bearer env-token"
    assert str(request.url) == (
        "https://proxy.example.com/cf/v4/accounts/env-account/vectorize/v2/indexes/my-index/get_by_ids"
    )


def test_keyword_arguments_win(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "env-account")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "env-token")
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "https://proxy.example.com/")
    request = sent(
        runner,
        account_id="arg-account",
        auth=ApiToken("arg-token"),
        base_url="https://api.example.net/client/v4",
    )
    assert request.headers["authorization"] == "Bearer arg-token"
    assert request.url.host == "api.example.net"
    assert "/accounts/arg-account/" in request.url.path


def test_default_base_url_is_cloudflare(runner: Runner) -> None:
    request = sent(runner)
    assert str(request.url).startswith("https://api.cloudflare.com/client/v4/accounts/")


def test_token_wins_over_email_and_key(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "env-token")
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "me@example.com")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "env-key")
    request = sent(runner, auth=None)
    assert request.headers["authorization"] == "Bearer env-token"
    assert "x-auth-key" not in request.headers


def test_email_and_key_from_the_environment(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "me@example.com")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "env-key")
    request = sent(runner, auth=None)
    assert (request.headers["x-auth-email"], request.headers["x-auth-key"]) == (
        "me@example.com",
        "env-key",
    )


def test_missing_credential_names_argument_and_variables() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Vectorize(account_id="a")
    message = str(caught.value)
    for word in ("auth=", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        assert word in message


def test_half_of_email_and_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "me@example.com")
    with pytest.raises(ConfigurationError, match="CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY"):
        Vectorize(account_id="a")


def test_missing_account_id_names_argument_and_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"account_id=.*CLOUDFLARE_ACCOUNT_ID"):
        Vectorize(auth=ApiToken("t"))


def test_account_id_from_environment_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "x" * 33)
    with pytest.raises(InvalidInputError, match="account_id has 33 characters; at most 32"):
        Vectorize(auth=ApiToken("t"))


def test_wrong_auth_type_is_refused() -> None:
    with pytest.raises(InvalidInputTypeError, match="auth must be ApiToken or GlobalApiKey"):
        Vectorize(account_id="a", auth="a-token-string")  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["http://api.example.com/client/v4", "http://10.0.0.1/client/v4"])
def test_plain_http_is_refused_except_to_loopback(url: str) -> None:
    with pytest.raises(InvalidInputError, match="plain http"):
        Vectorize(account_id="a", auth=ApiToken("t"), base_url=url)
    allowed = Vectorize(account_id="a", auth=ApiToken("t"), base_url=url, allow_insecure_http=True)
    assert allowed.base_url == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787/client/v4", "http://localhost:1/x", "http://[::1]:9/x"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert Vectorize(account_id="a", auth=ApiToken("t"), base_url=url).base_url == url


@pytest.mark.parametrize("url", ["ftp://example.com/", "not a url", "https://"])
def test_base_url_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(InvalidInputError, match="base_url"):
        Vectorize(account_id="a", auth=ApiToken("t"), base_url=url)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retries": -1}, "max_retries must be an int >= 0"),
        ({"max_concurrency": 0}, "max_concurrency must be an int >= 1"),
        ({"timeout": 0}, "timeout must be more than 0"),
        ({"timeout": "10"}, "timeout must be seconds or a Timeout"),
    ],
)
def test_bad_client_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Vectorize(account_id="a", auth=ApiToken("t"), **kwargs)  # type: ignore[arg-type]


def test_clients_are_context_managers_and_close_their_pool() -> None:
    with Vectorize(account_id="a", auth=ApiToken("t")) as client:
        http = client.api_client.get_httpx_client()
        assert not http.is_closed
    assert http.is_closed


def test_an_injected_http_client_is_used_and_left_open() -> None:
    server = Server([found()])
    http = httpx.Client(transport=httpx.MockTransport(server))
    with Vectorize(account_id="a", auth=ApiToken("t"), http_client=http, pacing=None) as client:
        assert [v.id for v in client.get_by_ids("my-index", ["x"])] == ["x"]
    assert len(server.requests) == 1
    assert server.requests[0].headers["authorization"] == "Bearer t"
    assert not http.is_closed
    http.close()


def test_the_library_refusal_names_the_argument_that_allows_plain_http() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Vectorize(account_id="a", auth=ApiToken("t"), base_url="http://192.0.2.10/v4")
    assert "base_url 'http://192.0.2.10/v4' is plain http" in str(caught.value)
    assert "pass allow_insecure_http=True" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://xn--a.example/client/v4", "is not a usable URL"),
        ("https://api.cloudflare.com:70000/client/v4", "port 70000"),
        ("https://a b.example/", "white space"),
        ("https://key:secret-in-url@api.cloudflare.com/", "user name or password"),
        ("https://api.cloudflare.com/client/v4#top", "query or fragment"),
        ("https://api.cloudflare.com/" + "x" * 5000 + " ", "white space"),
    ],
)
def test_an_unusable_base_url_is_refused_when_the_client_is_made(url: str, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says) as caught:
        Vectorize(account_id="a", auth=ApiToken("t"), base_url=url)
    assert "secret-in-url" not in str(caught.value) and len(str(caught.value)) < 400


def test_a_base_url_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(InvalidInputTypeError, match="base_url must be a str"):
        Vectorize(account_id="a", auth=ApiToken("t"), base_url=b"https://x.example")  # type: ignore[arg-type]
