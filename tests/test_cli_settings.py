"""`cf-vectorize get-by-ids` with a broken base URL or environment: one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from cf_vectorize import Vectorize
from cf_vectorize.cli import _settings as cli_settings
from cf_vectorize.cli import main
from cf_vectorize.cli._get_by_ids import ExitCode
from cf_vectorize.server import Credentials, StandInServer

TOKEN = "cli-settings-token-0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
WAIT = 60  # seconds; a bound on subprocess runs, never an expected duration
NETWORK_VARIABLES = {
    *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO")),
    *(f"{name}_proxy" for name in ("http", "https", "all", "no")),
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
}


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    with StandInServer(credentials=Credentials(token=TOKEN)) as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("CLOUDFLARE_") or name in NETWORK_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    return monkeypatch


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["get-by-ids", "sample", "doc-001", *args])
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cf-vectorize get-by-ids: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://xn--a.example/client/v4", "is not a usable URL"),  # idna: bad codepoint
        ("https://xn--/client/v4", "is not a usable URL"),  # idna: empty A-label
        ("https://api..example/client/v4", "is not a valid host name"),
        ("https://api example.com/client/v4", "white space"),
        ("https://-api.example/client/v4", "is not a valid host name"),
        ("https://api.cloudflare.com:99999/client/v4", "port 99999"),
        ("https://api.cloudflare.com:0/client/v4", "port 0"),
        ("https://[zz]/client/v4", "is not a usable URL"),
        ("https://api.cloudflare.com/client/v4?account=1", "query or fragment"),
        ("ftp://api.cloudflare.com/client/v4", "not an http(s) URL"),
        ("https://user:url-secret-pw@api.cloudflare.com/v4", "user name or password"),
    ],
)
@pytest.mark.usefixtures("env")
def test_a_bad_base_url_is_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], url: str, says: str
) -> None:
    code, err = run(capsys, "--base-url", url)
    line = one_line(err)
    assert code == ExitCode.USAGE
    assert says in line and "--base-url" in line
    assert "url-secret-pw" not in err


def test_a_bad_base_url_from_the_environment_names_the_variable(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    env.setenv("CLOUDFLARE_BASE_URL", "http://xn--a.example/client/v4")
    code, err = run(capsys)
    assert code == ExitCode.USAGE
    assert "CLOUDFLARE_BASE_URL 'http://xn--a.example/client/v4'" in one_line(err)


def test_plain_http_is_refused_with_the_option_that_allows_it(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    code, err = run(capsys, "--base-url", "http://192.0.2.10/client/v4")
    line = one_line(err)
    assert code == ExitCode.USAGE
    assert "pass --allow-insecure-http" in line and "allow_insecure_http=True" not in line


def test_allow_insecure_http_lets_a_plain_http_url_through(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    """Sent to a MockTransport: the tests may not reach 192.0.2.10 (nor may anything)."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"success": True, "errors": [], "messages": [], "result": []}
        return httpx.Response(200, json=body)

    def with_mock(**kwargs: object) -> object:
        return Vectorize(transport=httpx.MockTransport(answer), **kwargs)  # type: ignore[arg-type]

    env.setattr(cli_settings, "Vectorize", with_mock)
    code, err = run(capsys, "--base-url", "http://192.0.2.10/client/v4", "--allow-insecure-http")
    assert code == ExitCode.NOT_FOUND and err == "not found: doc-001\n"
    (request,) = seen
    assert request.url.host == "192.0.2.10" and request.url.scheme == "http"


def test_a_socks_proxy_without_the_extra_is_one_line(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    env.setitem(sys.modules, "socksio", None)  # as if not installed, installed or not
    env.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    code, err = run(capsys)  # the default, https base URL: the proxy would be used
    assert code == ExitCode.USAGE
    assert "pip install 'httpx[socks]'" in one_line(err)


def test_a_socks_proxy_is_not_needed_for_the_stand_in_on_loopback(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch, server: StandInServer
) -> None:
    env.setitem(sys.modules, "socksio", None)
    env.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    code, err = run(capsys, "--base-url", server.base_url)
    assert (code, err) == (ExitCode.OK, "")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("HTTPS_PROXY", "ftp://proxy-user:proxy-pw@127.0.0.1:1", "proxy set in HTTP_PROXY"),
        ("HTTPS_PROXY", "http://[zz]:1", "proxy set in HTTP_PROXY"),
        ("SSL_CERT_FILE", "/nonexistent/ca.pem", "SSL_CERT_FILE"),
    ],
)
def test_an_unusable_environment_is_one_line(
    capsys: pytest.CaptureFixture[str],
    env: pytest.MonkeyPatch,
    variable: str,
    value: str,
    says: str,
) -> None:
    env.setenv(variable, value)
    code, err = run(capsys)
    assert code == ExitCode.USAGE
    assert says in one_line(err)
    assert "proxy-pw" not in err


def test_a_bad_ca_file_is_one_line(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    bundle = os.path.join(tmp_path, "ca.pem")
    with open(bundle, "w") as file:
        file.write("not a certificate\n")
    env.setenv("SSL_CERT_FILE", bundle)
    code, err = run(capsys)
    assert code == ExitCode.USAGE
    assert "SSL_CERT_FILE" in one_line(err)


def test_as_a_process_an_idna_base_url_is_one_line(server: StandInServer) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLOUDFLARE_") and key not in NETWORK_VARIABLES
    }
    environment |= {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
    environment |= {"ALL_PROXY": "socks5://127.0.0.1:9"}
    for args in (["--base-url", "http://xn--a.example/v4"], ["--base-url", server.base_url]):
        finished = subprocess.run(
            [sys.executable, "-m", "cf_vectorize", "get-by-ids", "sample", "doc-001", *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
        assert "Traceback" not in finished.stderr
        if args[1] == server.base_url:  # the proxy is not used for plain http on loopback
            assert finished.returncode == 0, finished.stderr
        else:
            assert finished.returncode == 2 and len(finished.stderr.splitlines()) == 1


def test_help_lists_allow_insecure_http(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["get-by-ids", "--help"])
    assert "--allow-insecure-http" in capsys.readouterr().out
