"""What every API command takes alike: the connection options, their environment, the client.

One place for the options (and their help), for reading the credential, account id and base
URL from the options and the environment (through cf_vectorize._config, worded for a
command line), and for the client they make.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from .._base import DEFAULT_TIMEOUT
from .._client import Vectorize
from .._config import (
    DEFAULT_BASE_URL,
    ENV_ACCOUNT_ID,
    ENV_API_KEY,
    ENV_API_TOKEN,
    ENV_BASE_URL,
    ENV_EMAIL,
    resolve_account_id,
    resolve_auth,
    resolve_base_url,
)
from .._durations import MAX_SECONDS, duration_problem
from .._pacing import DEFAULT_PACING, Pacing
from .._retry import DEFAULT_MAX_RETRIES

if TYPE_CHECKING:
    from .._auth import Credential

ENVIRONMENT_HELP: Final = f"""\
environment:
  {ENV_API_TOKEN}   API token (Authorization: Bearer), or else
  {ENV_EMAIL} + {ENV_API_KEY}   Global API key pair (X-Auth-Email / X-Auth-Key)
  {ENV_ACCOUNT_ID}  account id, unless --account-id is given
  {ENV_BASE_URL}    API base URL, unless --base-url is given
                          (default {DEFAULT_BASE_URL})"""

# Credentials only from the environment: on a command line ps would show them.
_SET_CREDENTIAL: Final = "set (in the environment, never on the command line, where ps shows it)"


def count(minimum: int) -> Any:  # noqa: ANN401 (an argparse type callable)
    """Return an argparse type: an integer of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def seconds(text: str) -> float:
    """Parse a number of seconds > 0 and at most one day (MAX_SECONDS; an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    problem = duration_problem(value)
    if problem is not None:
        within = problem.removesuffix(f", not {value!r}")
        raise argparse.ArgumentTypeError(f"must be {within}, got {text}")
    return value


def add_connection_options(
    parser: argparse.ArgumentParser, *, max_concurrency: int, concurrency_help: str
) -> None:
    """Add the options of the connection: account, base URL, timeouts, retries, pacing."""
    parser.add_argument("--account-id", help=f"the account id (default: ${ENV_ACCOUNT_ID})")
    parser.add_argument(
        "--base-url",
        help=f"the API base URL (default: ${ENV_BASE_URL}, else Cloudflare's); "
        "plain http is accepted only to a loopback address, unless --allow-insecure-http",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="accept a plain-http base URL to a host other than loopback: the credential "
        "then travels unencrypted",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT.total,
        metavar="SECONDS",
        help=f"time allowed to each request attempt, at most {MAX_SECONDS:g} (%(default)g)",
    )
    parser.add_argument(
        "--max-retries",
        type=count(0),
        default=DEFAULT_MAX_RETRIES,
        metavar="N",
        help="retries of a request after a timeout, connection error, 429 or 5xx (%(default)s)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=count(1),
        default=max_concurrency,
        metavar="N",
        help=f"{concurrency_help} (%(default)s)",
    )
    parser.add_argument(
        "--no-pacing",
        action="store_true",
        help="do not slow down to Cloudflare's rate limits (1200 requests / 300 s, 200 / s)",
    )


def credential(env: Mapping[str, str]) -> Credential:
    """Return the credential from the environment, or say which variables to set."""
    return resolve_auth(None, env, how=_SET_CREDENTIAL)


def account_id(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """Return --account-id, else the environment's, checked."""
    return resolve_account_id(args.account_id or None, env, how="pass --account-id")


def base_url(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """Return the base URL, checked here so that a refusal names the option, not the argument."""
    name = "--base-url" if args.base_url else ENV_BASE_URL if env.get(ENV_BASE_URL) else "base URL"
    return resolve_base_url(
        args.base_url,
        env,
        args.allow_insecure_http,
        name=name,
        insecure_hint="pass --allow-insecure-http",
    )


def pacing(args: argparse.Namespace) -> Pacing:
    """Return the client's pacing: Cloudflare's limits, unless --no-pacing."""
    return None if args.no_pacing else DEFAULT_PACING


def client(
    args: argparse.Namespace, env: Mapping[str, str], auth: Credential, account: str
) -> Vectorize:
    """Return the client the connection options and the environment describe."""
    return Vectorize(
        account_id=account,
        auth=auth,
        base_url=base_url(args, env),
        allow_insecure_http=args.allow_insecure_http,
        timeout=args.timeout,
        max_retries=args.max_retries,
        max_concurrency=args.max_concurrency,
        pacing=pacing(args),
    )
