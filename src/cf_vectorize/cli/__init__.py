"""The ``cf-vectorize`` command line: one subcommand per module, registered below.

A subcommand module has ``register(subparsers)``, which adds its parser and sets the
``run`` default to a function ``(argparse.Namespace) -> int`` (the exit status).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, Final

from .._version import __version__
from . import _export, _get_by_ids, _serve

__all__ = ["build_parser", "main"]

Register = Callable[["argparse._SubParsersAction[Any]"], None]

# Add a subcommand by appending its module's ``register``.
SUBCOMMANDS: Final[list[Register]] = [_serve.register, _get_by_ids.register, _export.register]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="cf-vectorize",
        description="Cloudflare Vectorize get_by_ids: client tools and a local stand-in server.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", required=True)
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
