"""A credential never shows in a repr, an exception or a log line, debug included."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from cf_vectorize import APIError, ApiToken, GlobalApiKey, Vectorize
from tests.clientkit import ACCOUNT, TOKEN, Runner, Server, failure, found
from tests.conftest import response_cases

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
