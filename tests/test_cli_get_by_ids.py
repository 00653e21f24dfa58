"""`cf-vectorize get-by-ids` against the stand-in on 127.0.0.1: output, ids, errors, exits."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cf_vectorize import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_PACING,
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    InvalidInputError,
    InvalidInputTypeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimit,
    RateLimitError,
    Vectorize,
    VectorizeError,
)
from cf_vectorize.cli import _settings as cli_settings
from cf_vectorize.cli import main
from cf_vectorize.cli._get_by_ids import ExitCode, exit_code_for, pacing_notice, read_ids
from cf_vectorize.cli._render import shorten_values
from cf_vectorize.server import (
    SAMPLE_INDEX_NAME,
    Credentials,
    StandInServer,
    Store,
    load_sample_index,
    parse_index_lines,
)
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import ErrorResponse, GetVectorsByIdRequest, ResponseInfo
from tests.faultserver import FaultServer, slow

TOKEN = "cli-test-token-0123456789"
EMAIL = "cli@example.com"
KEY = "cli-test-global-key"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
WAIT = 60  # seconds; a bound on subprocess runs, never an expected duration
BIG_SIZE = 120  # vectors in the "big" index: more than a few chunks of 20
MODULE = [sys.executable, "-m", "cf_vectorize"]
CONSOLE_SCRIPT = [str(Path(sys.executable).parent / "cf-vectorize")]


def _sample() -> dict[str, dict[str, Any]]:
    """The bundled sample index, read here independently of the server's loader."""
    text = resources.files("cf_vectorize").joinpath("data", "sample.ndjson").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {record["id"]: record for record in records}


def _big() -> dict[str, dict[str, Any]]:
    """BIG_SIZE vectors; every third in a namespace, every other one with metadata."""
    rng = random.Random(5)  # noqa: S311 (test data, not a secret)
    records: dict[str, dict[str, Any]] = {}
    for n in range(BIG_SIZE):
        record: dict[str, Any] = {
            "id": f"v-{n:04d}",
            "values": [round(rng.uniform(-1, 1), 4) for _ in range(6)],
        }
        if n % 2 == 0:
            record["metadata"] = {"n": n}
        if n % 3 == 0:
            record["namespace"] = "ns"
        records[record["id"]] = record
    return records


SAMPLE = _sample()
BIG = _big()


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    big = parse_index_lines("big", "big", [json.dumps(r) for r in BIG.values()])
    store = Store({SAMPLE_INDEX_NAME: load_sample_index(), "big": big})
    credentials = Credentials(token=TOKEN, email=EMAIL, key=KEY)
    with StandInServer(store, credentials=credentials) as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean Cloudflare environment holding the test token and account."""
    for name in list(os.environ):
        if name.startswith("CLOUDFLARE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    return monkeypatch


class Cli:
    """Runs ``get-by-ids`` in-process against the stand-in and captures its output."""

    def __init__(self, server: StandInServer, capsys: pytest.CaptureFixture[str]) -> None:
        self.server = server
        self.capsys = capsys

    def __call__(self, *args: str, base_url: bool = True) -> tuple[int, str, str]:
        # First, so that a test's own --base-url wins and "--" in args still ends the options.
        argv = ["get-by-ids", *(["--base-url", self.server.base_url] if base_url else []), *args]
        code = main(argv)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def cli(server: StandInServer, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch) -> Cli:
    return Cli(server, capsys)


def _assert_one_error_line(err: str, *, exit_code: int, code: int) -> str:
    assert exit_code == code
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cf-vectorize get-by-ids: error: ")
    assert "Traceback" not in err
    return lines[0]


# --- formats ----------------------------------------------------------------------------


def test_json_is_one_array_of_the_stored_vectors_in_the_order_asked(cli: Cli) -> None:
    asked = ["img-001", "faq-002", "doc-001"]
    code, out, err = cli("sample", *asked)
    assert (code, err) == (0, "")
    assert json.loads(out) == [SAMPLE[i] for i in asked]


def test_ndjson_is_one_vector_per_line(cli: Cli) -> None:
    asked = ["faq-002", "doc-003", "img-002"]
    code, out, err = cli("sample", *asked, "--format", "ndjson")
    assert (code, err) == (0, "")
    assert [json.loads(line) for line in out.splitlines()] == [SAMPLE[i] for i in asked]


def test_table_shortens_values_and_shows_namespace_and_metadata(cli: Cli) -> None:
    code, out, err = cli("sample", "doc-001", "faq-002", "--format", "table")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    assert header.split() == ["id", "namespace", "values", "metadata"]
    assert len(rows) == 2
    doc, faq = SAMPLE["doc-001"], SAMPLE["faq-002"]
    assert rows[0].startswith("doc-001 ")
    assert shorten_values(doc["values"], 4) in rows[0]
    assert f"… ({len(doc['values'])} values)]" in rows[0]
    assert json.dumps(doc["metadata"]) in rows[0]
    assert faq["namespace"] in rows[1].split()
    # Columns line up: every row's values start under the header's.
    column = header.index("values")
    assert all(row[column] == "[" for row in rows)


def test_table_max_values(cli: Cli) -> None:
    values = SAMPLE["img-001"]["values"]
    _, out, _ = cli("sample", "img-001", "--format", "table", "--max-values", "0")
    assert "values)" not in out
    assert out.count(",") == len(values) - 1
    _, out, _ = cli("sample", "img-001", "--format", "table", "--max-values", "2")
    assert f"[{values[0]:.6g}, {values[1]:.6g}, … ({len(values)} values)]" in out


def test_shorten_values() -> None:
    assert shorten_values([0.1, 0.2, 0.3], 4) == "[0.1, 0.2, 0.3]"
    assert shorten_values([0.1, 0.2, 0.3], 2) == "[0.1, 0.2, … (3 values)]"
    assert shorten_values([0.1, 0.2, 0.3], 0) == "[0.1, 0.2, 0.3]"
    assert shorten_values([], 4) == "[]"


@pytest.mark.parametrize(("output_format", "expected"), [("json", "[]\n"), ("ndjson", "")])
def test_nothing_found_prints_an_empty_result(cli: Cli, output_format: str, expected: str) -> None:
    code, out, err = cli("sample", "nope", "--format", output_format)
    assert (code, out) == (ExitCode.NOT_FOUND, expected)
    assert err == "not found: nope\n"


# --- unknown ids, order, duplicates -------------------------------------------------------


@pytest.mark.parametrize("output_format", ["json", "ndjson", "table"])
def test_unknown_ids_exit_3_and_are_listed_on_stderr(cli: Cli, output_format: str) -> None:
    code, out, err = cli(
        "sample", "doc-002", "nope-1", "faq-001", "nope 2", "--format", output_format
    )
    assert code == ExitCode.NOT_FOUND
    assert int(code) == 3
    assert err.splitlines() == ["not found: nope-1", "not found: nope 2"]
    assert "doc-002" in out
    assert "faq-001" in out
    assert "nope" not in out


def test_an_id_that_would_not_read_plainly_is_quoted_on_stderr(cli: Cli) -> None:
    _, _, err = cli("sample", " padded ", "tab\tid")
    assert err.splitlines() == ['not found: " padded "', 'not found: "tab\\tid"']


def test_an_id_given_twice_comes_twice_unless_dedupe_keeps_the_first(cli: Cli) -> None:
    asked = ["faq-001", "doc-001", "faq-001", "nope", "nope"]
    code, out, err = cli("sample", *asked, "--format", "ndjson")
    assert code == ExitCode.NOT_FOUND
    assert [json.loads(line)["id"] for line in out.splitlines()] == asked[:3]
    assert err == "not found: nope\n" * 2
    code, out, err = cli("sample", *asked, "--format", "ndjson", "--dedupe")
    assert code == ExitCode.NOT_FOUND
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["faq-001", "doc-001"]
    assert err == "not found: nope\n"


def test_ids_may_follow_options_and_dashes_end_the_options(cli: Cli) -> None:
    code, out, err = cli(
        "sample", "doc-001", "--format", "ndjson", "faq-001", "--max-values", "2", "--", "-x"
    )
    assert code == ExitCode.NOT_FOUND
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["doc-001", "faq-001"]
    assert err == "not found: -x\n"


def test_95_ids_come_back_all_in_order(cli: Cli) -> None:
    asked = list(BIG)[:95]
    random.Random(7).shuffle(asked)  # noqa: S311
    code, out, err = cli("big", *asked, "--format", "ndjson")
    assert (code, err) == (0, "")
    assert [json.loads(line) for line in out.splitlines()] == [BIG[i] for i in asked]


def test_the_progress_bar_follows_the_chunks_and_output_stays_in_order(cli: Cli) -> None:
    asked = [*list(BIG)[:50], "gone-1", *list(BIG)[50:95], "gone-2"]
    random.Random(11).shuffle(asked)  # noqa: S311
    code, out, err = cli(
        "big", *asked, "--format", "ndjson", "--progress", "always", "--max-concurrency", "2"
    )
    assert code == ExitCode.NOT_FOUND
    found = [i for i in asked if i in BIG]
    assert [json.loads(line) for line in out.splitlines()] == [BIG[i] for i in found]
    # Redrawn as chunks of 20 ids are answered, in order (two may land at once), then erased.
    frames = [frame for frame in err.split("\r") if frame.startswith("cf-vectorize")]
    done = [int(frame.split()[-2].split("/")[0]) for frame in frames]
    assert done[0] == 0 and done[-1] == 97
    assert done == sorted(done)  # redrawn at the same count after a "not found" line
    assert set(done) <= {0, 20, 40, 60, 80, 97}
    assert err.endswith("\r\x1b[2K")  # the bar is erased at the end
    # Each unknown id is said as its turn comes, on a line of its own: the bar erased first.
    missing = [f"not found: {i}" for i in asked if i not in BIG]
    after_erasing = [part.split("\r")[0] for part in err.split("\r\x1b[2K")]
    assert [part for part in after_erasing if part] == [f"{line}\n" for line in missing]


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli: Cli) -> None:
    code, _, err = cli("big", *list(BIG)[:45], "--max-concurrency", "1")
    assert (code, err) == (0, "")


# --- ids from a file or stdin ---------------------------------------------------------------


def test_read_ids_strips_the_line_ending_only_and_skips_blank_lines() -> None:
    lines = ["a\n", "\n", "  \n", " b \r\n", "c"]
    assert read_ids(lines) == ["a", " b ", "c"]


def test_ids_file_adds_to_the_arguments(cli: Cli, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_bytes(b"faq-003\r\n\r\nblog-001\n\n   \nimg-002")
    code, out, err = cli("sample", "doc-004", "--ids-file", str(ids_file))
    assert (code, err) == (0, "")
    assert [v["id"] for v in json.loads(out)] == ["doc-004", "faq-003", "blog-001", "img-002"]


def test_ids_from_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("doc-005\nnope\n\ndoc-006\n"))
    code, out, err = cli("sample", "--ids-file", "-")
    assert code == ExitCode.NOT_FOUND
    assert [v["id"] for v in json.loads(out)] == ["doc-005", "doc-006"]
    assert err == "not found: nope\n"


@pytest.mark.parametrize("where", ["file", "stdin", "pipe"])
def test_a_bad_id_on_the_last_line_is_refused_before_anything_is_sent(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    good = list(SAMPLE) * 3
    text = "".join(f"{i}\n" for i in good) + "x" * 65 + "\n"
    ids_file = tmp_path / "ids.txt"
    if where == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    elif where == "file":
        ids_file.write_text(text)
    else:
        _fifo(ids_file, text)
    code, out, err = cli("sample", "--ids-file", "-" if where == "stdin" else str(ids_file))
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert f"ids[{len(good)}] has 65 bytes" in line
    assert out == ""  # nothing was fetched: the first ids would have been printed


def test_undecodable_bytes_on_stdin_are_a_bad_id_not_a_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a C locale, stdin keeps an undecodable byte as a lone surrogate: the copy made
    # to read stdin twice must carry it to the id check.
    monkeypatch.setattr(sys, "stdin", io.StringIO("doc-001\n\udcff\n"))
    code, out, err = cli("sample", "--ids-file", "-")
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert "ids[1] is not valid Unicode text" in line
    assert out == ""


def _fifo(path: Path, text: str) -> None:
    """Make path a named pipe that a thread writes text into once (read once only)."""
    os.mkfifo(path)

    def write() -> None:
        with open(path, "w") as pipe:
            pipe.write(text)

    threading.Thread(target=write, daemon=True).start()


@pytest.mark.parametrize("where", ["stdin", "pipe"])
def test_ids_that_cannot_be_read_twice_are_checked_then_fetched_through_a_copy(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    asked = [*list(BIG)[:70], "gone", *list(BIG)[:30]]
    text = "".join(f"{i}\n" for i in asked)
    ids_file = tmp_path / "ids"
    if where == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    else:
        _fifo(ids_file, text)
    code, out, err = cli("big", "--ids-file", "-" if where == "stdin" else str(ids_file))
    assert (code, err) == (ExitCode.NOT_FOUND, "not found: gone\n")
    assert [v["id"] for v in json.loads(out)] == [i for i in asked if i != "gone"]


def test_an_unreadable_ids_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("sample", "--ids-file", str(tmp_path / "absent.txt"))
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert "cannot read --ids-file" in line
    assert out == ""


def test_an_empty_ids_file_gives_an_empty_array(cli: Cli, tmp_path: Path) -> None:
    ids_file = tmp_path / "empty.txt"
    ids_file.write_text("\n\n")
    assert cli("sample", "--ids-file", str(ids_file)) == (0, "[]\n", "")


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [("json", "[]\n"), ("ndjson", ""), ("table", "id  values  metadata\n")],
)
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_an_ids_file_holding_no_ids_is_an_empty_request_sending_nothing(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    output_format: str,
    expected: str,
) -> None:
    """Unlike no ids at all (a usage error): the caller asked, for nothing."""
    ids_file = tmp_path / "empty.txt"
    ids_file.write_text("")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    nowhere = "http://127.0.0.1:9/client/v4"  # a request sent would end in exit 5
    given = str(ids_file) if source == "file" else "-"
    code, out, err = cli(
        "sample", "--ids-file", given, "--format", output_format, "--base-url", nowhere
    )
    assert (code, err) == (ExitCode.OK, "")
    assert out == expected
    code, out, err = cli("sample", "--format", output_format, "--base-url", nowhere)
    assert "no ids" in _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)


def test_the_help_says_what_no_ids_and_an_empty_ids_file_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["get-by-ids", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Giving no ids at all (no ID, no --ids-file) is a usage error" in text
    assert "an --ids-file that holds none is an empty request: nothing is sent" in text


# --- input and usage errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample"], "no ids"),
        (["Not_An_Index", "x"], "index_name 'Not_An_Index' does not match"),
        (["sample", "ok", "x" * 65], "ids[1] has 65 bytes"),
    ],
)
def test_bad_input_is_a_usage_error_before_anything_is_sent(
    cli: Cli, args: list[str], message: str
) -> None:
    code, out, err = cli(*args)
    assert message in _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--max-concurrency", "0"],
        ["--max-retries", "-1"],
        ["--timeout", "0"],
        ["--max-values", "x"],
        ["--format", "yaml"],
        ["--token", "t"],
    ],
)
def test_bad_options_exit_2_from_argparse(
    cli: Cli, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["get-by-ids", "sample", "doc-001", *args])
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_no_credential_is_a_usage_error_naming_the_variables(
    cli: Cli, env: pytest.MonkeyPatch
) -> None:
    env.delenv("CLOUDFLARE_API_TOKEN")
    code, _, err = cli("sample", "doc-001")
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert "CLOUDFLARE_API_TOKEN" in line
    env.setenv("CLOUDFLARE_EMAIL", EMAIL)
    code, _, err = cli("sample", "doc-001")
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    assert "CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not" in line


def test_no_account_is_a_usage_error(cli: Cli, env: pytest.MonkeyPatch) -> None:
    env.delenv("CLOUDFLARE_ACCOUNT_ID")
    code, _, err = cli("sample", "doc-001")
    assert "--account-id" in _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)
    code, out, _ = cli("sample", "doc-001", "--account-id", "given-on-the-command-line")
    assert code == 0
    assert json.loads(out) == [SAMPLE["doc-001"]]


def test_plain_http_elsewhere_than_loopback_is_refused(cli: Cli) -> None:
    code, _, err = cli(
        "sample", "doc-001", "--base-url", "http://example.com/client/v4", base_url=False
    )
    assert "plain http" in _assert_one_error_line(err, exit_code=code, code=ExitCode.USAGE)


def test_the_environment_gives_the_base_url_and_an_email_key_pair(
    cli: Cli, env: pytest.MonkeyPatch, server: StandInServer
) -> None:
    env.delenv("CLOUDFLARE_API_TOKEN")
    env.setenv("CLOUDFLARE_EMAIL", EMAIL)
    env.setenv("CLOUDFLARE_API_KEY", KEY)
    env.setenv("CLOUDFLARE_BASE_URL", server.base_url)
    code, out, err = cli("sample", "blog-002", base_url=False)
    assert (code, err) == (0, "")
    assert json.loads(out) == [SAMPLE["blog-002"]]


# --- API and connection errors ----------------------------------------------------------------


def test_bad_credentials_exit_4_in_one_line_without_the_token(
    cli: Cli, env: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-token-must-not-be-printed"
    env.setenv("CLOUDFLARE_API_TOKEN", wrong)
    code, out, err = cli("sample", "doc-001")
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.AUTH)
    assert "HTTP 401 from Cloudflare: [10000] Authentication error (cf-ray " in line
    assert wrong not in out + err
    assert out == ""


def test_an_unknown_index_exits_1_with_cloudflares_code_and_ray(cli: Cli) -> None:
    code, out, err = cli("no-such-index", "doc-001")
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.API_ERROR)
    assert line.startswith(
        "cf-vectorize get-by-ids: error: HTTP 404 from Cloudflare: [3000] "
        'vectorize.index.not_found - Index name "no-such-index" (cf-ray '
    )
    assert out == ""


def _free_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_exits_5(cli: Cli) -> None:
    url = f"http://127.0.0.1:{_free_port()}/client/v4"
    code, out, err = cli(
        "sample", "doc-001", "--base-url", url, "--max-retries", "0", base_url=False
    )
    line = _assert_one_error_line(err, exit_code=code, code=ExitCode.CONNECTION)
    assert "connection failed" in line
    assert out == ""


_STATUS = {
    "status_code": 400,
    "errors": [ResponseInfo(code=6003, message="Invalid request headers")],
}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InvalidInputError("x"), ExitCode.USAGE),
        (InvalidInputTypeError("x"), ExitCode.USAGE),
        (ConfigurationError("x"), ExitCode.USAGE),
        (AuthenticationError("x", status_code=401), ExitCode.AUTH),
        (PermissionDeniedError("x", status_code=403), ExitCode.AUTH),
        (BadRequestError("x", **_STATUS), ExitCode.AUTH),  # type: ignore[arg-type]
        (BadRequestError("x", status_code=400), ExitCode.API_ERROR),
        (NotFoundError("x", status_code=404), ExitCode.API_ERROR),
        (RateLimitError("x", status_code=429), ExitCode.API_ERROR),
        (InternalServerError("x", status_code=502), ExitCode.API_ERROR),
        (APIResponseValidationError("x", status_code=200), ExitCode.API_ERROR),
        (APIConnectionError("x"), ExitCode.CONNECTION),
        (APITimeoutError("x"), ExitCode.CONNECTION),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_exit_codes_follow_the_exception_classes(error: VectorizeError, expected: int) -> None:
    assert exit_code_for(error) == expected


def test_an_interrupt_exits_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Vectorize, "iter_by_ids", interrupted)
    code, out, err = cli("sample", "doc-001")
    assert (code, out) == (ExitCode.INTERRUPTED, "")
    assert err.strip() == "cf-vectorize get-by-ids: interrupted"


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_a_closed_stdout_exits_141_quietly(
    server: StandInServer, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setattr(sys, "stdout", _ClosedPipe())
    code = main(["get-by-ids", "sample", "doc-001", "--base-url", server.base_url])
    assert code == ExitCode.BROKEN_PIPE
    assert capsys.readouterr().err == ""


# --- the generated client through the same stand-in --------------------------------------------


def test_21_ids_through_the_raw_generated_client_get_40007(
    server: StandInServer, env: pytest.MonkeyPatch
) -> None:
    with Vectorize(base_url=server.base_url) as client:
        response = vectorize_get_vectors_by_id.sync_detailed(
            ACCOUNT,
            "big",
            client=client.api_client,
            body=GetVectorsByIdRequest(ids=list(BIG)[:21]),
        )
        assert response.status_code == 400
        assert isinstance(response.parsed, ErrorResponse)
        assert [e.code for e in response.parsed.errors] == [40007]
        # The hand-written client batches the same 21 ids and gets them all.
        vectors = client.get_by_ids("big", list(BIG)[:21])
        assert [v.id for v in vectors] == list(BIG)[:21]
        assert vectors.missing_ids == ()


# --- as a process ------------------------------------------------------------------------------


def _process_env(server: StandInServer, token: str = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env |= {
        "CLOUDFLARE_API_TOKEN": token,
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "CLOUDFLARE_BASE_URL": server.base_url,
    }
    return env


@pytest.mark.parametrize("command", [MODULE, CONSOLE_SCRIPT], ids=["module", "console-script"])
def test_as_a_process_with_ids_on_stdin(server: StandInServer, command: list[str]) -> None:
    finished = subprocess.run(
        [*command, "get-by-ids", "sample", "doc-007", "--ids-file", "-"],
        input="faq-004\nnope\n",
        env=_process_env(server),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert finished.returncode == 3
    assert json.loads(finished.stdout) == [SAMPLE["doc-007"], SAMPLE["faq-004"]]
    assert finished.stderr == "not found: nope\n"


def test_as_a_process_bad_credentials_give_one_line_and_no_token(server: StandInServer) -> None:
    wrong = "wrong-process-token-never-printed"
    finished = subprocess.run(
        [*MODULE, "get-by-ids", "sample", "doc-001"],
        env=_process_env(server, wrong),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert finished.returncode == 4
    assert finished.stdout == ""
    assert len(finished.stderr.splitlines()) == 1
    assert "[10000] Authentication error" in finished.stderr
    assert wrong not in finished.stderr


def test_help_documents_the_environment_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["get-by-ids", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for needle in (
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_BASE_URL",
        "--ids-file",
        "--max-values",
    ):
        assert needle in text
    for code in ExitCode:
        assert f"\n  {code.value:<3}  " in text


# --- streaming, interrupts and pacing notices ---------------------------------------------------


def _cli_process(base_url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env |= {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
    return subprocess.Popen(
        [*MODULE, "get-by-ids", "my-index", "--ids-file", "-", "--base-url", base_url, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def _feed(process: subprocess.Popen[str], count: int) -> None:
    assert process.stdin is not None
    process.stdin.write("".join(f"id-{n:05d}\n" for n in range(count)))
    process.stdin.close()


@pytest.mark.parametrize("output_format", ["ndjson", "json"])
def test_the_output_streams_and_a_closed_reader_stops_the_fetch(output_format: str) -> None:
    """Like `| head -n 2`: the reader leaves after the first vector; few requests were sent."""
    with FaultServer([slow(0.1)]) as server:
        process = _cli_process(server.base_url, "--format", output_format, "--max-concurrency", "1")
        _feed(process, 1000)
        assert process.stdout is not None
        first = process.stdout.readline()
        if output_format == "json":
            assert first == "[\n"
            first = process.stdout.readline()
        assert json.loads(first.rstrip(",\n"))["id"] == "id-00000"
        sent_by_then = server.attempts
        process.stdout.close()
        code = process.wait(timeout=WAIT)
        assert code == ExitCode.BROKEN_PIPE
        assert sent_by_then <= 2  # one chunk answered, the next perhaps started: not 50
        assert server.attempts <= sent_by_then + 2


@pytest.mark.parametrize("progress", ["never", "always"])
def test_sigint_as_a_process_exits_130_and_sends_nothing_more(progress: str) -> None:
    with FaultServer([slow(0.05)]) as server:
        process = _cli_process(
            server.base_url, "--format", "ndjson", "--progress", progress, "--no-pacing"
        )
        _feed(process, 4000)
        assert process.stdout is not None
        process.stdout.readline()  # the fetch is under way
        at_signal = server.attempts
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=WAIT)  # a bound proving it does not run on: not a timing
        time.sleep(0.3)
        assert code == ExitCode.INTERRUPTED
        assert server.attempts - at_signal <= DEFAULT_MAX_CONCURRENCY  # those in flight
        assert process.stderr is not None
        assert process.stderr.read().rstrip().endswith("cf-vectorize get-by-ids: interrupted")


def test_the_pacing_notice_says_how_long_a_long_fetch_takes() -> None:
    notice = pacing_notice(100_000, DEFAULT_PACING)
    assert notice is not None
    assert "100000 ids take 5000 requests" in notice
    assert "about 20 minutes" in notice
    assert pacing_notice(3000, DEFAULT_PACING) is None  # 150 requests: no wait worth saying
    assert pacing_notice(100_000, None) is None


@pytest.mark.parametrize("concurrency", [1, 8, 100])
def test_the_pacing_notice_comes_only_when_pacing_delays_the_fetch(concurrency: int) -> None:
    """1,200 requests go out over 5 s paced, as long as 8 in flight take anyway: no notice.

    The 1,201st waits for the 300 s window: that delay is pacing's, and is announced.
    """
    assert pacing_notice(24_000, DEFAULT_PACING, concurrency) is None
    notice = pacing_notice(24_001, DEFAULT_PACING, concurrency)
    assert notice is not None
    assert "24001 ids take 1201 requests" in notice
    assert "about 5 minutes" in notice


def test_the_notice_is_printed_once_when_pacing_will_delay(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_settings, "DEFAULT_PACING", RateLimit(2, 3.0))
    code, out, err = cli("big", *list(BIG)[:100], "--format", "ndjson")
    assert code == 0
    assert len(out.splitlines()) == 100
    assert err.count("take 5 requests") == 1
    assert "about 6 s" in err
