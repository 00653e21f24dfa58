"""Cassettes hold no secret: the scrubbing of scripts/cassette_scrub.py and the scanner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vcr.request import Request

from scripts.cassette_scrub import ACCOUNT_ID_PLACEHOLDER, SECRET_PLACEHOLDER, Scrubber
from scripts.scan_cassettes import CASSETTES_DIR, main, scan

ACCOUNT = "9a7806061c88ada191ed06f989cc3dac"  # real-looking, made up
TOKEN = "Xk3vQ9mZ2pL7wR4tY8uB1nC6dF0gH5jK2sA9eW3q"  # 40 characters, made up
URL = f"https://api.cloudflare.com/client/v4/accounts/{ACCOUNT}/vectorize/v2/indexes/i/get_by_ids"


def test_committed_cassettes_hold_nothing_that_looks_like_a_secret() -> None:
    files = list(CASSETTES_DIR.rglob("*.yaml"))
    assert len(files) >= 14
    assert scan([CASSETTES_DIR]) == []


INJECTED = {
    # Assembled at run time, so that no line of the repository itself looks like a live token.
    "bearer token": "      Bearer-line: 'Bearer " + "sk_live_" + "0123456789abcdefghij'\n",
    "credential header": "      Authorization:\n      - something\n",
    "set-cookie header": "      Set-Cookie:\n      - __cflb=0H28vzvP5FJafnkHxihKaWu; path=/\n",
    "global API key (37 hex)": "      key: 1234567890abcdef1234567890abcdef12345\n",
    "API token (40 chars)": f"      token: {TOKEN}\n",
    "e-mail address": "      who: someone@example.org\n",
    "account id (32 hex)": f"      account: {ACCOUNT}\n",
}


@pytest.mark.parametrize("line", INJECTED.values(), ids=list(INJECTED))
def test_the_scan_fails_when_a_secret_is_added_to_a_cassette(line: str, tmp_path: Path) -> None:
    copy = tmp_path / "cassettes"
    shutil.copytree(CASSETTES_DIR, copy)
    target = copy / "test_cassette_replay" / "ok_doc_example.yaml"
    lines = target.read_text().splitlines(keepends=True)
    lines.insert(8, line)  # among the request headers
    target.write_text("".join(lines))

    findings = scan([copy])
    assert findings and {finding.path for finding in findings} == {target}
    assert all(finding.line == 9 for finding in findings)
    assert main([str(copy)]) == 1
    assert main([str(CASSETTES_DIR)]) == 0


def test_findings_never_show_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "c.yaml"
    target.write_text(f"token: {TOKEN}\n")
    assert main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "c.yaml:1" in err and TOKEN not in err


def test_known_secret_values_are_found_even_when_no_pattern_would(tmp_path: Path) -> None:
    target = tmp_path / "c.yaml"
    target.write_text("password: hunter2\n")
    assert scan([tmp_path]) == []
    assert [finding.kind for finding in scan([tmp_path], secrets=["hunter2"])] == [
        "known secret of this recording"
    ]


def test_placeholders_and_ordinary_ids_are_not_findings(tmp_path: Path) -> None:
    target = tmp_path / "c.yaml"
    target.write_text(
        f"uri: https://x/accounts/{ACCOUNT_ID_PLACEHOLDER}/vectorize\n"
        f"a: Bearer {SECRET_PLACEHOLDER}\n"
        "cf-ray: 8f1c2b3a4d5e6f70-LHR\n"
        "id: this-is-a-vector-identifier-of-forty-ch\n"
    )
    assert scan([tmp_path]) == []


# --- scrubbing -------------------------------------------------------------------------


def test_requests_lose_credentials_and_cookies_and_the_account_id() -> None:
    request = Request(
        "POST",
        URL,
        b'{"ids": ["a"]}',
        {
            "Authorization": f"Bearer {TOKEN}",
            "X-Auth-Email": "someone@example.org",
            "X-Auth-Key": "1234567890abcdef1234567890abcdef12345",
            "Cookie": "__cflb=abc",
            "Content-Type": "application/json",
            "User-Agent": "cf-vectorize/0",
        },
    )
    scrubbed = Scrubber().request(request)
    assert scrubbed.uri == URL.replace(ACCOUNT, ACCOUNT_ID_PLACEHOLDER)
    assert dict(scrubbed.headers) == {
        "Content-Type": "application/json",
        "User-Agent": "cf-vectorize/0",
    }
    assert scrubbed.body == b'{"ids": ["a"]}'


def test_any_account_segment_becomes_the_placeholder() -> None:
    request = Request("POST", URL.replace(ACCOUNT, "not-hex-at-all"), b"", {})
    assert f"/accounts/{ACCOUNT_ID_PLACEHOLDER}/" in Scrubber().request(request).uri


def test_known_secrets_are_replaced_in_bodies_and_query() -> None:
    request = Request("POST", f"{URL}?owner={ACCOUNT}", f'{{"ids": ["{TOKEN}"]}}'.encode(), {})
    scrubbed = Scrubber(account_ids=[ACCOUNT], secrets=[TOKEN]).request(request)
    assert ACCOUNT not in scrubbed.uri and TOKEN.encode() not in scrubbed.body
    assert SECRET_PLACEHOLDER.encode() in scrubbed.body


def test_responses_keep_only_harmless_headers() -> None:
    response = {
        "status": {"code": 429, "message": "Too Many Requests"},
        "headers": {
            "content-type": ["application/json"],
            "retry-after": ["1"],
            "cf-ray": ["8f1c2b3a4d5e6f70-LHR"],
            "set-cookie": ["__cflb=0H28vzvP5FJafnkHxihKaWu; path=/", "__cfruid=abc; path=/"],
            "cf-auditlog-id": ["01234567-89ab-cdef-0123-456789abcdef"],
            "report-to": ['{"endpoints":[{"url":"https://a.nel.cloudflare.com/report/v4?s=x"}]}'],
            "server": [f"edge for {ACCOUNT}"],
        },
        "body": {"string": f'{{"account": "{ACCOUNT}", "token": "{TOKEN}"}}'.encode()},
    }
    scrubbed = Scrubber(account_ids=[ACCOUNT], secrets=[TOKEN]).response(response)
    assert scrubbed["headers"] == {
        "content-type": ["application/json"],
        "retry-after": ["1"],
        "cf-ray": ["8f1c2b3a4d5e6f70-LHR"],
    }  # server is dropped too: its value holds the account id
    body = scrubbed["body"]["string"]
    assert ACCOUNT.encode() not in body and TOKEN.encode() not in body
    assert ACCOUNT_ID_PLACEHOLDER.encode() in body
