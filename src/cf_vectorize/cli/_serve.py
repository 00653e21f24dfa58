"""``cf-vectorize serve``: run the local Vectorize stand-in until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from typing import Any

from ..server import (
    DEFAULT_CURSOR_TTL,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TIMEOUT,
    SAMPLE_INDEX_NAME,
    Credentials,
    DataFileError,
    Index,
    StandInServer,
    Store,
    load_index,
    load_sample_index,
)

__all__ = ["register", "run"]

DEFAULT_PORT = 8789

_DESCRIPTION = """\
Serve POST /client/v4/accounts/{account_id}/vectorize/v2/indexes/{index}/get_by_ids
locally, with Cloudflare's envelope, errors and 20-id limit, and List Vectors
(GET .../indexes/{index}/list?count=&cursor=): snapshot pages of ids behind cursors that
expire after --cursor-ttl seconds. The first line of stdout is
the base URL (use it as CLOUDFLARE_BASE_URL); other notes go to stderr. Without --token
or --email/--key a random API token is made and printed to stderr as "token: ...".
Without --index the bundled "sample" index (16 vectors, 8 dimensions) is served.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="run a local stand-in for get_by_ids and List Vectors",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (%(default)s)"
    )
    parser.add_argument(
        "--index",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="serve the NDJSON FILE as index NAME (repeatable)",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help=f"also serve the bundled {SAMPLE_INDEX_NAME!r} index when --index is given",
    )
    parser.add_argument("--token", help="the API token to accept (Authorization: Bearer)")
    parser.add_argument("--email", help="the email to accept (X-Auth-Email), with --key")
    parser.add_argument("--key", help="the Global API key to accept (X-Auth-Key), with --email")
    parser.add_argument(
        "--account-id",
        help="accept only this account id in the path (others get 403, code 10000); default: any",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="larger bodies get 413 (%(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds a connection may stay silent (%(default)s)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="seconds a client has to send a whole request, from its first byte; "
        "then 408, code 10408 (%(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help="connections served at once; more get 503, code 10503 (%(default)s)",
    )
    parser.add_argument(
        "--cursor-ttl",
        type=float,
        default=DEFAULT_CURSOR_TTL,
        metavar="SECONDS",
        help="List Vectors cursors expire this long after they are issued; "
        "an expired one gets 400, code 40003 (%(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the data, serve until SIGINT or SIGTERM, and return 0 (1 on a setup error)."""
    try:
        credentials, generated = _credentials(args)
        store = _store(args)
        server = StandInServer(
            store,
            credentials=credentials,
            host=args.host,
            port=args.port,
            account_id=args.account_id,
            max_body_bytes=args.max_body_bytes,
            timeout=args.timeout,
            max_connections=args.max_connections,
            request_timeout=args.request_timeout,
            cursor_ttl=args.cursor_ttl,
        )
    except (ValueError, OSError) as error:  # DataFileError is a ValueError
        print(f"cf-vectorize serve: error: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            if generated:
                print(f"token: {credentials.token}", file=sys.stderr, flush=True)
            _describe(server, args.account_id)
            # Last, so that whoever waits for the URL finds the notes already written.
            print(server.base_url, flush=True)
            # A timed wait keeps the main thread returning to the interpreter for signals.
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped", file=sys.stderr, flush=True)
    return 0


def _credentials(args: argparse.Namespace) -> tuple[Credentials, bool]:
    if args.token is None and args.email is None and args.key is None:
        return Credentials.random_token(), True
    return Credentials(token=args.token, email=args.email, key=args.key), False


def _store(args: argparse.Namespace) -> Store:
    indexes: dict[str, Index] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for spec in args.index:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            problems.append(f"--index {spec!r}: expected NAME=FILE")
        elif name in seen:
            problems.append(f"--index {spec!r}: index {name!r} is given twice")
        else:
            seen.add(name)
            started = time.perf_counter()
            try:
                indexes[name] = load_index(name, path)
            except DataFileError as error:
                problems.extend(error.problems)
                continue
            logging.getLogger(__name__).debug(
                "loaded %s in %.3f s", path, time.perf_counter() - started
            )
    if problems:
        raise DataFileError(problems)
    if not args.index or args.sample:
        if SAMPLE_INDEX_NAME in indexes:
            raise DataFileError([f"--sample: index {SAMPLE_INDEX_NAME!r} is already given"])
        indexes[SAMPLE_INDEX_NAME] = load_sample_index()
    return Store(indexes)


def _describe(server: StandInServer, account_id: str | None) -> None:
    for index in server.store.indexes.values():
        print(
            f"index {index.name}: {len(index)} vectors, {index.dimensions} dimensions",
            file=sys.stderr,
        )
    print(f"account: {account_id or 'any'}", file=sys.stderr, flush=True)
