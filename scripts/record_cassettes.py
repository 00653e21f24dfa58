"""Re-record the live cassettes from a real Vectorize index.

Usage: make record     (python -m scripts.record_cassettes [--out DIR])

Needs in the environment:
  CLOUDFLARE_ACCOUNT_ID       the account that owns the index
  CLOUDFLARE_API_TOKEN        a token with Vectorize read access
                              (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)
  CF_VECTORIZE_RECORD_INDEX   an index of that account
  CF_VECTORIZE_RECORD_IDS     1 to 20 comma-separated ids of vectors in that index
Optional: CLOUDFLARE_BASE_URL (another API root, such as the local stand-in) and
CF_VECTORIZE_RECORD_DIR or --out (default tests/cassettes/live).

Each scenario of SCENARIOS is recorded into a temporary folder through the scrubbing of
scripts/cassette_scrub.py, then replayed offline with a placeholder account and a fake
token and must give the same outcome; the files are scanned for the credential, the
account id and anything that looks like a secret. Only when all of that passes are the
cassettes of the output folder replaced. With a setting missing it names each missing
variable, exits 2 and touches nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import vcr
import yaml

from cf_vectorize import APIError, APIStatusError, ApiToken, GlobalApiKey, Vectorize
from cf_vectorize._config import (
    ENV_ACCOUNT_ID,
    ENV_API_KEY,
    ENV_API_TOKEN,
    ENV_BASE_URL,
    ENV_EMAIL,
    credential_from,
    credential_values,
)
from cf_vectorize._limits import MAX_IDS_PER_REQUEST
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import ErrorResponse, GetVectorsByIdRequest, GetVectorsByIdResponse
from scripts._paths import ROOT
from scripts.cassette_scrub import ACCOUNT_ID_PLACEHOLDER, vcr_options
from scripts.scan_cassettes import scan

DEFAULT_OUT = ROOT / "tests" / "cassettes" / "live"
ENV_INDEX = "CF_VECTORIZE_RECORD_INDEX"
ENV_IDS = "CF_VECTORIZE_RECORD_IDS"
ENV_OUT = "CF_VECTORIZE_RECORD_DIR"
# Made-up names: ids no index should hold, an index no account should have.
MISSING_IDS = ("cf-vectorize-record-missing-1", "cf-vectorize-record-missing-2")
UNKNOWN_INDEX = "cf-vectorize-record-no-such-index"
PADDING_ID = "cf-vectorize-record-pad-{:02d}"
# Well-formed and wrong: the "bad token" scenario sends it; it is dropped from the cassette.
INVALID_TOKEN = "cfvectorize0record0invalid0token00000000"  # noqa: S105
REPLAY_TOKEN = "replay-token"  # noqa: S105 (replay never sends anything)


@dataclass(frozen=True)
class Settings:
    """What a recording needs, read from the environment."""

    account_id: str
    auth: ApiToken | GlobalApiKey
    secrets: tuple[str, ...]  # the credential's values, to scrub and to scan for
    index: str
    ids: tuple[str, ...]
    base_url: str | None


@dataclass(frozen=True)
class Outcome:
    """What a call gave, in terms that a replay must give again."""

    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    error: str | None = None  # the exception class raised by Vectorize
    status: int | None = None
    codes: tuple[int, ...] = ()


def missing_settings(env: Mapping[str, str]) -> list[str]:
    """Name each missing variable, with what it is for."""
    missing = []
    if not env.get(ENV_ACCOUNT_ID):
        missing.append(f"{ENV_ACCOUNT_ID}: the account that owns the index")
    if not env.get(ENV_API_TOKEN):
        email, key = env.get(ENV_EMAIL), env.get(ENV_API_KEY)
        if email and not key:
            missing.append(f"{ENV_API_KEY}: {ENV_EMAIL} is set, its Global API Key is not")
        elif key and not email:
            missing.append(f"{ENV_EMAIL}: {ENV_API_KEY} is set, its account e-mail is not")
        elif not (email and key):
            missing.append(
                f"{ENV_API_TOKEN}: a token with Vectorize read access "
                f"(or {ENV_EMAIL} and {ENV_API_KEY})"
            )
    if not env.get(ENV_INDEX):
        missing.append(f"{ENV_INDEX}: the name of an index of that account")
    if not split_ids(env.get(ENV_IDS, "")):
        missing.append(
            f"{ENV_IDS}: 1 to {MAX_IDS_PER_REQUEST} comma-separated ids of vectors in that index"
        )
    return missing


def split_ids(text: str) -> tuple[str, ...]:
    """Return the distinct non-empty ids of a comma-separated list, in order."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def read_settings(env: Mapping[str, str]) -> Settings:
    """Return the settings; call only when missing_settings(env) is empty."""
    secrets = credential_values(env)
    if secrets is None:
        raise ValueError("read_settings: no credential in the environment")
    return Settings(
        account_id=env[ENV_ACCOUNT_ID],
        auth=credential_from(secrets),
        secrets=secrets,
        index=env[ENV_INDEX],
        ids=split_ids(env[ENV_IDS]),
        base_url=env.get(ENV_BASE_URL) or None,
    )


# --- the calls recorded -------------------------------------------------------------------


def call_vectorize(client: Vectorize, index: str, ids: Sequence[str]) -> Outcome:
    """Call get_by_ids through the wrapper."""
    try:
        result = client.get_by_ids(index, ids)
    except APIStatusError as error:
        return Outcome(
            error=type(error).__name__, status=error.status_code, codes=tuple(error.codes)
        )
    return Outcome(found=tuple(vector.id for vector in result), missing=result.missing_ids)


def call_generated(client: Vectorize, index: str, ids: Sequence[str]) -> Outcome:
    """Call the generated function directly: it sends the ids as given, 21 of them too."""
    response = vectorize_get_vectors_by_id.sync_detailed(
        client.account_id,
        index,
        client=client.api_client,
        body=GetVectorsByIdRequest(ids=list(ids)),
    )
    parsed = response.parsed
    if isinstance(parsed, GetVectorsByIdResponse):
        return Outcome(found=tuple(v.id for v in parsed.result), status=response.status_code)
    codes = tuple(item.code for item in parsed.errors) if isinstance(parsed, ErrorResponse) else ()
    return Outcome(status=response.status_code, codes=codes)


Call = Callable[[Vectorize, str, Sequence[str]], Outcome]


@dataclass(frozen=True)
class Scenario:
    """One live cassette: what is asked, how, and what Cloudflare is known to answer."""

    name: str
    what: str
    call: Call
    plan: Callable[[Settings], tuple[str, tuple[str, ...]]]  # the index and ids asked
    check: Callable[[Outcome], str | None]  # a problem with the outcome, or None
    invalid_token: bool = False


def _check_found(outcome: Outcome) -> str | None:
    if outcome.error or outcome.missing or not outcome.found:
        return f"expected every id of {ENV_IDS} to be found, got {outcome}"
    return None


def _check_missing(outcome: Outcome) -> str | None:
    if outcome.error or outcome.missing != MISSING_IDS or not outcome.found:
        return f"expected the first id found and {MISSING_IDS} missing, got {outcome}"
    return None


def _check_unknown_index(outcome: Outcome) -> str | None:
    if outcome.error != "NotFoundError" or 3000 not in outcome.codes:
        return f"expected NotFoundError with code 3000, got {outcome}"
    return None


def _check_too_many(outcome: Outcome) -> str | None:
    if outcome.status != 400 or 40007 not in outcome.codes:
        return f"expected HTTP 400 with code 40007, got {outcome}"
    return None


def _check_refused(outcome: Outcome) -> str | None:
    refusals = {"BadRequestError", "AuthenticationError", "PermissionDeniedError"}
    if outcome.error not in refusals:
        return f"expected the token to be refused (400, 401 or 403), got {outcome}"
    return None


def _twenty_one(settings: Settings) -> tuple[str, tuple[str, ...]]:
    padding = (PADDING_ID.format(n) for n in range(MAX_IDS_PER_REQUEST + 1))
    return settings.index, (settings.ids + tuple(padding))[: MAX_IDS_PER_REQUEST + 1]


SCENARIOS = (
    Scenario(
        "found_ids",
        f"Vectorize.get_by_ids, the ids of {ENV_IDS}",
        call_vectorize,
        lambda s: (s.index, s.ids),
        _check_found,
    ),
    Scenario(
        "missing_ids",
        "Vectorize.get_by_ids, one id of the index and two unknown ids",
        call_vectorize,
        lambda s: (s.index, s.ids[:1] + MISSING_IDS),
        _check_missing,
    ),
    Scenario(
        "unknown_index",
        "Vectorize.get_by_ids on an index that does not exist",
        call_vectorize,
        lambda s: (UNKNOWN_INDEX, s.ids[:1]),
        _check_unknown_index,
    ),
    Scenario(
        "too_many_ids",
        "the generated sync_detailed with 21 ids, one more than allowed",
        call_generated,
        _twenty_one,
        _check_too_many,
    ),
    Scenario(
        "bad_token",
        "Vectorize.get_by_ids with a well-formed but invalid API token",
        call_vectorize,
        lambda s: (s.index, s.ids[:1]),
        _check_refused,
        invalid_token=True,
    ),
)
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


# --- recording and replaying ----------------------------------------------------------------


def _client(account_id: str, auth: ApiToken | GlobalApiKey, base_url: str | None) -> Vectorize:
    # One attempt, one request at a time: the cassette holds exactly what was answered.
    # vcrpy records through httpx's own transport classes only, not DeadlineTransport.
    return Vectorize(
        account_id=account_id,
        auth=auth,
        base_url=base_url,
        max_retries=0,
        max_concurrency=1,
        pacing=None,
        transport=httpx.HTTPTransport(),
    )


def _header(scenario: Scenario, base_url: str) -> str:
    host = httpx.URL(base_url).host
    day = datetime.now(UTC).date().isoformat()
    return (
        f"# Recorded by scripts/record_cassettes.py from {host} on {day}, scenario "
        f"{scenario.name!r}: {scenario.what}.\n"
        "# Scrubbed by scripts/cassette_scrub.py: no credential, cookie or account id "
        f"(the account is {ACCOUNT_ID_PLACEHOLDER}).\n"
    )


def record(scenario: Scenario, settings: Settings, folder: Path) -> Outcome:
    """Record scenario into folder/<name>.yaml and return what the live call gave."""
    path = folder / f"{scenario.name}.yaml"
    options = vcr_options(account_ids=[settings.account_id], secrets=settings.secrets)
    recorder = vcr.VCR(record_mode="all", **options)
    auth = ApiToken(INVALID_TOKEN) if scenario.invalid_token else settings.auth
    index, ids = scenario.plan(settings)
    with (
        recorder.use_cassette(str(path)),
        _client(settings.account_id, auth, settings.base_url) as client,
    ):
        outcome = scenario.call(client, index, ids)
        base_url = client.base_url
    if path.exists():
        path.write_text(_header(scenario, base_url) + path.read_text())
    return outcome


def asked_in(path: Path) -> tuple[str, str, tuple[str, ...]]:
    """Return the base URL, index and ids of a cassette's requests."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    requests = [interaction["request"] for interaction in data["interactions"]]
    base_url, _, rest = requests[0]["uri"].partition("/accounts/")
    index = rest.split("/indexes/")[1].split("/")[0]
    ids: list[str] = []
    for request in requests:
        ids += json.loads(request["body"])["ids"]
    return base_url, index, tuple(dict.fromkeys(ids))


def replay(scenario: Scenario, path: Path) -> Outcome:
    """Replay a cassette offline, with the placeholder account and a fake token."""
    base_url, index, ids = asked_in(path)
    player = vcr.VCR(record_mode="none", **vcr_options())
    with player.use_cassette(str(path)) as cassette:
        with _client(ACCOUNT_ID_PLACEHOLDER, ApiToken(REPLAY_TOKEN), base_url) as client:
            outcome = scenario.call(client, index, ids)
        if not cassette.all_played:
            raise AssertionError(f"{path.name}: not every recorded answer was replayed")
    return outcome


def record_all(settings: Settings, folder: Path) -> list[str]:
    """Record every scenario into folder; return the problems found (none: all is well)."""
    problems = []
    for scenario in SCENARIOS:
        live = record(scenario, settings, folder)
        path = folder / f"{scenario.name}.yaml"
        if not path.exists():
            problems.append(f"{scenario.name}: nothing was recorded")
            continue
        problem = scenario.check(live)
        if problem:
            problems.append(f"{scenario.name}: {problem}")
        replayed = replay(scenario, path)
        if replayed != live:
            problems.append(f"{scenario.name}: replay gave {replayed}, the live call {live}")
    secrets = [*settings.secrets, settings.account_id, INVALID_TOKEN]
    problems += [f"secret scan: {finding}" for finding in scan([folder], secrets)]
    return problems


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Record, check, then replace the live cassettes; 2 if settings are missing, 1 on problems."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        help=f"output folder (default ${ENV_OUT} or {DEFAULT_OUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    env = os.environ if env is None else env
    out: Path = args.out or Path(env.get(ENV_OUT) or DEFAULT_OUT)

    missing = missing_settings(env)
    if missing:
        print(
            "make record: cannot record, these environment variables are not set:", file=sys.stderr
        )
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        print("Nothing was recorded and no cassette was changed.", file=sys.stderr)
        return 2
    settings = read_settings(env)
    if len(settings.ids) > MAX_IDS_PER_REQUEST:
        print(
            f"make record: {ENV_IDS} names {len(settings.ids)} ids; at most {MAX_IDS_PER_REQUEST}. "
            "Nothing was changed.",
            file=sys.stderr,
        )
        return 2

    with tempfile.TemporaryDirectory(prefix="cf-vectorize-record-") as tmp:
        try:
            problems = record_all(settings, Path(tmp))
        except APIError as error:  # connection failures: the messages name no credential
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            print("make record: the recording was not kept:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            print("No cassette was changed.", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)
        for scenario in SCENARIOS:
            shutil.copyfile(Path(tmp) / f"{scenario.name}.yaml", out / f"{scenario.name}.yaml")
            print(f"recorded {out / scenario.name}.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
