"""The README's first command: fetch a few vectors from a local stand-in, no account needed.

Usage: python -m scripts.demo [ID ...]   (what `make demo` runs)

1. starts `cf-vectorize serve --port 0` (the bundled `sample` index) with a throwaway token,
   and waits (bounded) for the base URL on its first stdout line;
2. runs `cf-vectorize get-by-ids sample ID ... --format table` against it, the token passed
   in CLOUDFLARE_API_TOKEN; the default ids include one the index does not hold, so the
   expected exit status is 3 ("some ids were not found"): the demo then exits 0, and
   with any other status it exits 1;
3. stops the server, whatever happened.
"""

from __future__ import annotations

import argparse
import os
import queue
import secrets
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cf_vectorize._config import ENV_API_TOKEN
from scripts._paths import ROOT

DEFAULT_IDS = ("doc-001", "faq-002", "img-001", "no-such-id")
EXPECTED_STATUS = 3  # cf-vectorize get-by-ids: some ids were not found
START_TIMEOUT = 30.0  # seconds to wait for the base URL line
RUN_TIMEOUT = 60.0  # seconds the get-by-ids command may take
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
CLI = [sys.executable, "-m", "cf_vectorize"]


class DemoError(Exception):
    """The demo could not run as planned; the message says why."""


def _first_line(stream: IO[str], timeout: float) -> str | None:
    """Read one line from stream, or None after timeout seconds (portable: no select)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


@contextmanager
def stand_in(token: str) -> Iterator[str]:
    """Run `cf-vectorize serve` on a free port; yield its base URL; always stop it."""
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [*CLI, "serve", "--port", "0", "--quiet", f"--token={token}"],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        try:
            line = _first_line(process.stdout, START_TIMEOUT) if process.stdout else None
            if not line or not line.startswith("http"):
                log.seek(0)
                what = {None: f"gave no base URL within {START_TIMEOUT:g} s", "": "exited"}
                raise DemoError(
                    f"the stand-in {what.get(line, f'printed {line!r}')} "
                    f"instead of its base URL (stderr: {log.read().strip()!r})"
                )
            yield line.strip()
        finally:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
            print("stand-in stopped", flush=True)


def _environment(token: str) -> dict[str, str]:
    # The caller's own Cloudflare settings must not leak into (or redirect) the demo.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env[ENV_API_TOKEN] = token
    return env


def run_demo(ids: Sequence[str]) -> int:
    """Run the demo; return its exit status."""
    # A throwaway: the server lives for this demo only. `--token=` because it may start with "-".
    token = secrets.token_urlsafe(24)
    with stand_in(token) as base_url:
        print(f"stand-in serving the sample index at {base_url}", flush=True)
        args = ["get-by-ids", "sample", *ids, "--format", "table", "--account-id", "demo"]
        args += ["--base-url", base_url, "--max-retries", "0"]
        print("$ cf-vectorize " + shlex.join(args), flush=True)
        try:
            finished = subprocess.run(
                [*CLI, *args], env=_environment(token), timeout=RUN_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise DemoError(f"get-by-ids did not finish within {RUN_TIMEOUT:g} s") from None
    status = finished.returncode
    if status == EXPECTED_STATUS:
        print(
            f"exit status {status}: some ids were not found, as expected "
            "(the demo asks for one id the sample index does not hold)"
        )
        return 0
    print(
        f"demo failed: get-by-ids exited with status {status}, expected {EXPECTED_STATUS}",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("ids", nargs="*", default=list(DEFAULT_IDS), metavar="ID")
    args = parser.parse_args(argv)
    os.chdir(Path(ROOT))
    try:
        return run_demo(args.ids)
    except DemoError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
