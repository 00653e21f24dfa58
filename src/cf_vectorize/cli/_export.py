"""``cf-vectorize export``: write every vector of an index to an NDJSON file, resumably."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import IntEnum
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

from .._base import DEFAULT_MAX_CONCURRENCY
from .._client import Vectorize
from .._errors import APIError, InvalidInputError, VectorizeError
from .._export_state import STATE_SUFFIX, ResumeRefusedError
from .._limits import MAX_PAGE_SIZE
from .._validation import check_index_name
from . import _settings as settings
from ._export_progress import ExportProgressLine
from ._get_by_ids import (
    ExitCode,
    exit_code_for,
)
from ._render import quote_id
from ._settings import ENVIRONMENT_HELP, add_connection_options

if TYPE_CHECKING:
    from cf_vectorize_api.models import Vector

    from .._export import ExportResult, PageLister, VectorFetcher

__all__ = ["ExportExitCode", "register", "run"]

PROG: Final = "cf-vectorize export"
PAGE_SIZE: Final = MAX_PAGE_SIZE  # List Vectors' largest page: the fewest listing requests


class ExportExitCode(IntEnum):
    """Exit statuses of ``export``: get-by-ids' table (same numbers), and 6 for the output."""

    OK = ExitCode.OK
    API_ERROR = ExitCode.API_ERROR
    USAGE = ExitCode.USAGE
    AUTH = ExitCode.AUTH
    CONNECTION = ExitCode.CONNECTION
    OUTPUT = 6
    INTERRUPTED = ExitCode.INTERRUPTED


_DESCRIPTION = f"""\
Write every vector of a Vectorize index to FILE, one JSON object per line:
{{"id", "values", "metadata"?, "namespace"?}}, the rows `wrangler vectorize insert --file`
takes (and `cf-vectorize serve --index NAME=FILE` serves). The ids are listed 1000 a page
(List Vectors) and fetched 20 a request, paced under Cloudflare's rate limits (1200
requests / 300 s: about 3.5 hours a million vectors), with retries of transient failures.

resuming: stopped by Ctrl-C, a crash, a network failure or a reboot? Run the same command
again. It continues where it stopped: FILE keeps what was written, only the page in
progress is listed again, and no vector is written twice. Where it stands is kept in
FILE{STATE_SUFFIX} beside FILE (small; it stays when the export is done and names no
credential). --restart throws both away and starts over. A resume is refused when that
state belongs to another index or account, or FILE was changed since.

Vectors deleted while the export runs (listed, then gone when fetched) are left out and
counted. Vectors inserted meanwhile may be missing: the listing is a snapshot of the index
as it was when it started.

{ENVIRONMENT_HELP}
"""

_EPILOG = f"""\
exit status:
  {ExportExitCode.OK:<3}  the export is complete (ids deleted meanwhile are counted on stderr)
  {ExportExitCode.API_ERROR:<3}  the API answered with an error (index not found, 429, 5xx, ...):
       run the same command again to resume
  {ExportExitCode.USAGE:<3}  usage error, or the resume was refused (the state file belongs to
       another index or account, or FILE was changed since): see the message
  {ExportExitCode.AUTH:<3}  authentication or permission refused (HTTP 401 / 403)
  {ExportExitCode.CONNECTION:<3}  connection failed or timed out (after the retries): run the same
       command again to resume
  {ExportExitCode.OUTPUT:<3}  FILE or its state file cannot be written (disk full, permissions)
  {ExportExitCode.INTERRUPTED:<3}  interrupted (Ctrl-C, SIGTERM): run the same command again
       to resume

examples:
  cf-vectorize export my-index --out my-index.ndjson        # again after a stop: resumes
  cf-vectorize export my-index --out my-index.ndjson --restart
  cf-vectorize serve --index my-index=my-index.ndjson       # serve the export locally
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``export`` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="write a whole index to an NDJSON file (resumable)",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("index", help="the index name")
    parser.add_argument("--out", required=True, metavar="FILE", help="the NDJSON file to write")
    parser.add_argument(
        "--restart",
        action="store_true",
        help=f"start over: overwrite FILE and forget FILE{STATE_SUFFIX}",
    )
    add_connection_options(
        parser,
        max_concurrency=DEFAULT_MAX_CONCURRENCY,
        concurrency_help="get_by_ids requests in flight at once",
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress line on stderr; auto: when stderr is a terminal (%(default)s)",
    )
    parser.set_defaults(run=run)


def _page_lister(client: Vectorize) -> PageLister:
    """List pages with the client's retries and pacing (one budget with the fetches)."""
    from .._export import ListedPage  # noqa: PLC0415 - see _export()

    def list_page(index_name: str, *, cursor: str | None) -> ListedPage:
        page = client.list_page(index_name, cursor=cursor, page_size=PAGE_SIZE)
        expires = page.cursor_expires_at
        return ListedPage(
            ids=page.ids,
            next_cursor=page.next_cursor,
            total_count=page.total_count,
            is_truncated=page.next_cursor is not None,
            cursor_expires_at=None if expires is None else expires.isoformat(),
        )

    return list_page


def _fetcher(client: Vectorize) -> VectorFetcher:
    """Stream a page's vectors: the window of requests stays full across the page."""

    def fetch(index_name: str, ids: list[str]) -> Iterable[Vector]:
        return client.iter_by_ids(index_name, ids)

    return fetch


def _refused(error: BaseException) -> bool:
    """Whether a listing error on a cursor means "the cursor is no good: list again"."""
    from .._listing import cursor_refused  # noqa: PLC0415 - loaded with the first listing

    return isinstance(error, APIError) and cursor_refused(error)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a reboot, a `kill`) stops the export as Ctrl-C does: checkpointed."""

    def interrupt(number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _export(args: argparse.Namespace, env: Mapping[str, str]) -> ExportResult:
    # The export machinery loads only for an export: every other command starts without it.
    from .._export import export_index  # noqa: PLC0415

    index = check_index_name(args.index)
    if args.out in ("", "-"):
        raise InvalidInputError("--out must name a file: an export resumes from it")
    auth = settings.credential(env)
    account_id = settings.account_id(args, env)
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    line = ExportProgressLine(sys.stderr, f"export {index}", enabled=show)

    def notice(text: str) -> None:
        line.clear()
        print(f"{PROG}: {text}", file=sys.stderr, flush=True)

    with settings.client(args, env, auth, account_id) as client:
        try:
            return export_index(
                index,
                args.out,
                account_id=account_id,
                list_page=_page_lister(client),
                fetch=_fetcher(client),
                cursor_refused=_refused,
                restart=args.restart,
                group_size=PAGE_SIZE,
                on_progress=line.update,
                on_notice=notice,
            )
        finally:
            line.clear()


def _report(result: ExportResult, index: str) -> None:
    out = result.output
    if result.already_complete:
        print(
            f"{PROG}: {out} already holds the complete export of {index} "
            f"({result.records:,} vectors); --restart exports it again",
            file=sys.stderr,
        )
        return
    if result.cut_bytes:
        print(
            f"{PROG}: cut {result.cut_bytes} bytes written after the last checkpoint "
            "by the run that stopped (they were fetched again)",
            file=sys.stderr,
        )
    how = "resumed and finished" if result.resumed else "exported"
    print(
        f"{PROG}: {how}: {result.records:,} vectors of {index} in {out} "
        f"({result.written_this_run:,} written by this run)",
        file=sys.stderr,
    )
    if result.missing:
        sample = ", ".join(quote_id(i) for i in result.missing_sample)
        more = ", ..." if result.missing > len(result.missing_sample) else ""
        print(
            f"{PROG}: {result.missing:,} ids were deleted during the export and are "
            f"not in the file: {sample}{more}",
            file=sys.stderr,
        )
    sys.stderr.flush()


def _error(message: object) -> None:
    text = " ".join(str(message).splitlines())
    print(f"{PROG}: error: {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Export, report on stderr, and return the exit status (see ExportExitCode)."""
    resume = f"run the same command again to resume (--out {args.out})"
    try:
        with _sigterm_interrupts():
            try:
                result = _export(args, os.environ)
            except ResumeRefusedError as error:
                _error(error)
                return ExportExitCode.USAGE
            except VectorizeError as error:
                _error(error)
                code = ExportExitCode(exit_code_for(error))
                if code in (ExportExitCode.API_ERROR, ExportExitCode.CONNECTION):
                    print(f"{PROG}: {resume}", file=sys.stderr, flush=True)
                return code
            except OSError as error:
                _error(f"cannot write {args.out} or its state file: {error}")
                return ExportExitCode.OUTPUT
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; {resume}", file=sys.stderr, flush=True)
        return ExportExitCode.INTERRUPTED
    _report(result, args.index)
    return ExportExitCode.OK
