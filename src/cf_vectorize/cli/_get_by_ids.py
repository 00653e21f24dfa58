"""``cf-vectorize get-by-ids``: fetch vectors by id and print them as JSON, NDJSON or a table."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Final, TextIO

from .._base import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT
from .._client import Vectorize, VectorStream
from .._config import (
    ENV_ACCOUNT_ID,
    ENV_API_KEY,
    ENV_API_TOKEN,
    ENV_BASE_URL,
    ENV_EMAIL,
    resolve_account_id,
    resolve_auth,
    resolve_base_url,
)
from .._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    InvalidInputError,
    PermissionDeniedError,
    VectorizeError,
)
from .._limits import MAX_IDS_PER_REQUEST
from .._pacing import DEFAULT_PACING, Pacing, paced_duration
from .._retry import DEFAULT_MAX_RETRIES
from .._validation import check_index_name, unique_id_keys
from ._progress import ProgressBar
from ._render import FORMATS, quote_id, render

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector

    from .._auth import Credential

__all__ = ["ExitCode", "exit_code_for", "pacing_notice", "read_ids", "register", "run"]

PROG: Final = "cf-vectorize get-by-ids"
DEFAULT_MAX_VALUES: Final = 4
# A fetch that pacing stretches past this many seconds is announced on stderr.
PACING_NOTICE_SECONDS: Final = 5.0
# Cloudflare's codes for a missing or malformed credential header, sent with HTTP 400.
_AUTH_HEADER_CODES: Final = frozenset({1001, 6003, 6102, 6103, 6111})


class ExitCode(IntEnum):
    """Exit statuses of ``get-by-ids``; documented in its ``--help`` and the README."""

    OK = 0
    API_ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    AUTH = 4
    CONNECTION = 5
    INTERRUPTED = 130
    BROKEN_PIPE = 141


_DESCRIPTION = f"""\
Fetch vectors by id from a Vectorize index and print them on stdout, in the order asked
(duplicates removed). Any number of ids: they are sent 20 per request, several requests
at once, paced under Cloudflare's rate limits, with retries of transient failures.
Unknown ids are left out of the output and listed on stderr as "not found: ID".
Output streams: with json and ndjson each vector is written as soon as it and every
vector before it have arrived, so memory stays flat whatever the number of ids; table
waits for all (it aligns columns). When pacing will stretch a fetch, stderr says once
roughly how long it will take. After an error the output stops where it was (json: an
unterminated array) and the exit status says what happened.

ids: the arguments, then the lines of --ids-file (FILE, or - for stdin); a line is an id
as written (only the line ending is removed); blank lines are skipped.

environment:
  {ENV_API_TOKEN}   API token (Authorization: Bearer), or else
  {ENV_EMAIL} + {ENV_API_KEY}   Global API key pair (X-Auth-Email / X-Auth-Key)
  {ENV_ACCOUNT_ID}  account id, unless --account-id is given
  {ENV_BASE_URL}    API base URL, unless --base-url is given
                          (default https://api.cloudflare.com/client/v4)
Credentials are read only from the environment: on a command line they would show in ps.
Proxies (HTTPS_PROXY, ALL_PROXY, NO_PROXY) serve an https base URL through a CONNECT
tunnel; a plain-http base URL is always reached directly, so no proxy reads the credential.
"""

_EPILOG = f"""\
exit status:
  {ExitCode.OK:<3}  every id was found
  {ExitCode.API_ERROR:<3}  the API answered with an error (index not found, 40007, 429, 5xx, ...)
  {ExitCode.USAGE:<3}  usage or input error: bad option, bad id or index name, unreadable
       --ids-file, missing credential or account id, unusable base URL, proxy or CA file
  {ExitCode.NOT_FOUND:<3}  some ids were not found (the vectors found are printed)
  {ExitCode.AUTH:<3}  authentication or permission refused (HTTP 401 / 403, or Cloudflare's
       missing / malformed credential header errors 1001, 6003)
  {ExitCode.CONNECTION:<3}  connection failed or timed out (after the retries)
  {ExitCode.INTERRUPTED:<3}  interrupted (Ctrl-C)
  {ExitCode.BROKEN_PIPE:<3}  stdout was closed early (as by `| head`)
Errors are one line on stderr: "{PROG}: error: ...", with Cloudflare's codes and cf-ray.

examples:
  cf-vectorize get-by-ids my-index id-1 id-2 | jq '.[].metadata'
  cut -f1 ids.tsv | cf-vectorize get-by-ids my-index --ids-file - --format ndjson > out.ndjson
  cf-vectorize get-by-ids my-index id-1 --format table --max-values 8
"""


def _count(minimum: int) -> Any:  # noqa: ANN401 (an argparse type callable)
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


class _IntermixedParser(argparse.ArgumentParser):
    """Accepts ids after options too (``INDEX --format table ID ID``), as users type them.

    Plain argparse takes a ``nargs="*"`` positional in one run: ids after an option would
    be "unrecognized arguments". The subcommand's parser is called through
    ``parse_known_args``, so that is where intermixed parsing is switched on.
    """

    _inside = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inside:  # the two inner passes of parse_known_intermixed_args
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``get-by-ids`` subcommand."""
    parser = subparsers.add_parser(
        "get-by-ids",
        help="fetch vectors by id (JSON, NDJSON or a table)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # add_parser builds the subparsers' one parser class; this one subcommand needs ids
    # after options, and the class adds only that (see _IntermixedParser).
    parser.__class__ = _IntermixedParser
    parser.add_argument("index", help="the index name")
    parser.add_argument("ids", nargs="*", default=[], metavar="ID", help="ids to fetch")
    parser.add_argument(
        "--ids-file",
        metavar="FILE",
        help="also read ids from FILE, one per line; - reads stdin",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="json",
        help="json: one array of vectors {id, values, metadata?, namespace?}, written as "
        "they come (default); ndjson: one vector per line, as they come; table: aligned "
        "columns for reading, written once every vector is in (held in memory)",
    )
    parser.add_argument(
        "--max-values",
        type=_count(0),
        default=DEFAULT_MAX_VALUES,
        metavar="N",
        help="table only: show the first N values of each vector, 0 for all (%(default)s)",
    )
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
        type=_seconds,
        default=DEFAULT_TIMEOUT.total,
        metavar="SECONDS",
        help="time allowed to each request attempt (%(default)g)",
    )
    parser.add_argument(
        "--max-retries",
        type=_count(0),
        default=DEFAULT_MAX_RETRIES,
        metavar="N",
        help="retries of a request after a timeout, connection error, 429 or 5xx (%(default)s)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=_count(1),
        default=DEFAULT_MAX_CONCURRENCY,
        metavar="N",
        help="requests in flight at once (%(default)s)",
    )
    parser.add_argument(
        "--no-pacing",
        action="store_true",
        help="do not slow down to Cloudflare's rate limits (1200 requests / 300 s, 200 / s)",
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar on stderr; auto: when stderr is a terminal, stdout is not, and "
        "the ids take more than one round of requests (%(default)s)",
    )
    parser.set_defaults(run=run)


def read_ids(lines: Iterable[str]) -> list[str]:
    """Ids from lines: the line ending removed, nothing else; blank lines skipped."""
    return list(_ids_of(lines))


def _ids_of(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        vector_id = line.removesuffix("\n").removesuffix("\r")
        if vector_id.strip():
            yield vector_id


def _ids(args: argparse.Namespace, stdin: TextIO) -> Iterator[str]:
    """Yield the ids of the arguments, then of --ids-file, one at a time."""
    if not args.ids and args.ids_file is None:
        raise InvalidInputError(
            "no ids: give them as arguments or with --ids-file FILE (- for stdin)"
        )
    yield from args.ids
    if args.ids_file == "-":
        yield from _ids_of(stdin)
    elif args.ids_file is not None:
        try:
            with open(args.ids_file, encoding="utf-8", newline="") as file:
                yield from _ids_of(file)
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInputError(f"cannot read --ids-file {args.ids_file}: {error}") from None


# Credentials only from the environment: on a command line ps would show them.
_SET_CREDENTIAL = "set (in the environment, never on the command line, where ps shows it)"


def _credential(env: Mapping[str, str]) -> Credential:
    """Return the credential from the environment, or say which variables to set."""
    return resolve_auth(None, env, how=_SET_CREDENTIAL)


def _account_id(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """Return --account-id, else the environment's, checked."""
    return resolve_account_id(args.account_id or None, env, how="pass --account-id")


def _base_url(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """Return the base URL, checked here so that a refusal names the option, not the argument."""
    name = "--base-url" if args.base_url else ENV_BASE_URL if env.get(ENV_BASE_URL) else "base URL"
    return resolve_base_url(
        args.base_url,
        env,
        args.allow_insecure_http,
        name=name,
        insecure_hint="pass --allow-insecure-http",
    )


def exit_code_for(error: VectorizeError) -> ExitCode:
    """Return the exit status for an error of the client."""
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return ExitCode.AUTH
    if isinstance(error, APIStatusError) and _AUTH_HEADER_CODES.intersection(error.codes):
        return ExitCode.AUTH
    if isinstance(error, APIConnectionError):
        return ExitCode.CONNECTION
    if isinstance(error, APIError):
        return ExitCode.API_ERROR
    # InvalidInputError, InvalidInputTypeError, ConfigurationError.
    return ExitCode.USAGE


def pacing_notice(count: int, pacing: Pacing) -> str | None:
    """Say roughly how long pacing makes a fetch of `count` ids; None when it hardly delays."""
    requests = -(-count // MAX_IDS_PER_REQUEST)
    seconds = paced_duration(pacing, requests)
    if seconds < PACING_NOTICE_SECONDS:
        return None
    return (
        f"{count} ids take {requests} requests; kept under Cloudflare's rate limits "
        f"(--no-pacing to switch off) they take about {_duration(seconds)}"
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} minutes"
    return f"{minutes / 60:.1f} hours"


def _tracked(stream: VectorStream, bar: ProgressBar) -> Iterator[Vector]:
    """Yield the vectors of stream, redrawing the bar as ids are answered."""
    bar.update(0)
    for vector in stream:
        bar.update(stream.ids_done)
        yield vector
    bar.update(stream.ids_done)
    bar.clear()


def _fetch_and_write(args: argparse.Namespace, env: Mapping[str, str], stdin: TextIO) -> int:
    """Check the input, then stream the vectors to stdout; raises VectorizeError."""
    index = check_index_name(args.index)
    # Checked and deduplicated here, before anything is sent (messages count from the first
    # id); one dict of the ids is what the fetch keeps of them.
    wanted = unique_id_keys(_ids(args, stdin))
    auth = _credential(env)
    group = MAX_IDS_PER_REQUEST * args.max_concurrency
    show = args.progress == "always" or (
        args.progress == "auto"
        and len(wanted) > group
        and sys.stderr.isatty()
        and not sys.stdout.isatty()
    )
    bar = ProgressBar(sys.stderr, len(wanted), PROG, enabled=show)
    pacing = None if args.no_pacing else DEFAULT_PACING
    with Vectorize(
        account_id=_account_id(args, env),
        auth=auth,
        base_url=_base_url(args, env),
        allow_insecure_http=args.allow_insecure_http,
        timeout=args.timeout,
        max_retries=args.max_retries,
        max_concurrency=args.max_concurrency,
        pacing=pacing,
    ) as client:
        notice = pacing_notice(len(wanted), pacing)
        if notice is not None:
            print(f"{PROG}: {notice}", file=sys.stderr, flush=True)
        with client.iter_by_ids(index, wanted, deduplicate=False) as stream:
            try:
                if not _write(render(_tracked(stream, bar), args.format, args.max_values)):
                    return ExitCode.BROKEN_PIPE
            finally:
                bar.clear()
        for vector_id in stream.missing_ids:
            print(f"not found: {quote_id(vector_id)}", file=sys.stderr)
        sys.stderr.flush()
    return ExitCode.NOT_FOUND if stream.missing_ids else ExitCode.OK


def _error(message: object) -> None:
    text = " ".join(str(message).splitlines())
    print(f"{PROG}: error: {text}", file=sys.stderr, flush=True)


def _write(pieces: Iterable[str]) -> bool:
    """Write text to stdout as it comes, flushed; False when the reader went away."""
    try:
        for piece in pieces:
            sys.stdout.write(piece)
            sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so that the interpreter's final flush fails quietly too.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return False
    return True


def run(args: argparse.Namespace) -> int:
    """Fetch, print as the vectors come, and return the exit status (see ExitCode)."""
    try:
        try:
            return _fetch_and_write(args, os.environ, sys.stdin)
        except VectorizeError as error:
            sys.stdout.flush()
            _error(error)
            return exit_code_for(error)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr, flush=True)
        return ExitCode.INTERRUPTED
