"""``cf-vectorize get-by-ids``: fetch vectors by id and print them as JSON, NDJSON or a table."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Final, TextIO

from .._base import DEFAULT_MAX_CONCURRENCY
from .._client import VectorStream
from .._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    VectorizeError,
)
from .._limits import MAX_IDS_PER_REQUEST
from .._pacing import Pacing, pacing_delay
from .._validation import check_index_name, count_checked_ids, unique_id_keys
from . import _settings as settings
from ._ids import IdSource, ids_of
from ._progress import ProgressBar
from ._render import FORMATS, quote_id, render
from ._settings import ENVIRONMENT_HELP, add_connection_options, count

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector


__all__ = ["ExitCode", "exit_code_for", "pacing_notice", "read_ids", "register", "run"]

PROG: Final = "cf-vectorize get-by-ids"
DEFAULT_MAX_VALUES: Final = 4
# A fetch that pacing makes longer by this many seconds is announced on stderr.
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
Fetch vectors by id from a Vectorize index and print them on stdout, in the order asked.
Any number of ids: they are sent 20 per request, several requests at once, paced under
Cloudflare's rate limits, with retries of transient failures. Unknown ids are left out of
the output and listed on stderr as "not found: ID", each as soon as its turn comes.
Output streams: with json and ndjson each vector is written as soon as it and every
vector before it have arrived, and memory does not grow with the number of ids; table
waits for all (it aligns columns, holding every vector). Every id is checked before
anything is sent: --ids-file is read twice (stdin or a pipe is copied to a temporary
file for that). An id given twice is fetched and printed twice, unless --dedupe (which
holds every id in memory, about 100 bytes an id). When pacing will delay a fetch (by 5 s
or more, as past 24,000 ids), stderr says once roughly how long it will take. After an
error the output stops where it was (json: an unterminated array) and the exit status
says what happened.

ids: the arguments, then the lines of --ids-file (FILE, or - for stdin); a line is an id
as written (only the line ending is removed); blank lines are skipped. Giving no ids at
all (no ID, no --ids-file) is a usage error; an --ids-file that holds none is an empty
request: nothing is sent, the output is empty ([] with json) and the exit status 0.

{ENVIRONMENT_HELP}
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
        "--dedupe",
        action="store_true",
        help="drop repeated ids, keeping the first; holds every id in memory (about 100 "
        "bytes an id), where by default memory does not grow with the number of ids",
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
        type=count(0),
        default=DEFAULT_MAX_VALUES,
        metavar="N",
        help="table only: show the first N values of each vector, 0 for all (%(default)s)",
    )
    add_connection_options(
        parser,
        max_concurrency=DEFAULT_MAX_CONCURRENCY,
        concurrency_help="requests in flight at once",
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
    return list(ids_of(lines))


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


def pacing_notice(
    count: int, pacing: Pacing, concurrency: int = DEFAULT_MAX_CONCURRENCY
) -> str | None:
    """Say roughly how long pacing makes a fetch of `count` ids; None when it hardly delays.

    Said when pacing makes the fetch noticeably longer than `concurrency` requests in flight
    would take anyway (see pacing_delay), not when the paced fetch merely lasts a while.
    """
    requests = -(-count // MAX_IDS_PER_REQUEST)
    seconds, delay = pacing_delay(pacing, requests, concurrency)
    if delay < PACING_NOTICE_SECONDS:
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
    with IdSource(args.ids, args.ids_file, stdin) as source:
        # Every id is checked here, before anything is sent (messages count from the first
        # id). By default none is kept: the fetch reads them again. --dedupe keeps one dict
        # of them, to drop repeats.
        wanted: Iterable[str]
        if args.dedupe:
            wanted = unique_id_keys(source)
            count = len(wanted)
        else:
            wanted, count = source, count_checked_ids(source)
        return _fetch(args, env, index, wanted, count)


def _fetch(
    args: argparse.Namespace, env: Mapping[str, str], index: str, ids: Iterable[str], count: int
) -> int:
    """Stream the vectors of `count` checked ids to stdout, each id not found to stderr."""
    auth = settings.credential(env)
    group = MAX_IDS_PER_REQUEST * args.max_concurrency
    show = args.progress == "always" or (
        args.progress == "auto"
        and count > group
        and sys.stderr.isatty()
        and not sys.stdout.isatty()
    )
    bar = ProgressBar(sys.stderr, count, PROG, enabled=show)

    def not_found(vector_id: str) -> None:
        # Said as soon as its place in the order asked is reached: nothing is kept of it.
        bar.clear()
        print(f"not found: {quote_id(vector_id)}", file=sys.stderr)

    with settings.client(args, env, auth, settings.account_id(args, env)) as client:
        notice = pacing_notice(count, settings.pacing(args), args.max_concurrency)
        if notice is not None:
            print(f"{PROG}: {notice}", file=sys.stderr, flush=True)
        with client.iter_by_ids(index, ids, deduplicate=False, on_missing=not_found) as stream:
            try:
                if not _write(render(_tracked(stream, bar), args.format, args.max_values)):
                    return ExitCode.BROKEN_PIPE
            finally:
                bar.clear()
                sys.stderr.flush()
    return ExitCode.NOT_FOUND if stream.missing_count else ExitCode.OK


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
