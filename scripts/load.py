"""Put a bounded load on a running stand-in and check every answer.

Usage: CLOUDFLARE_API_TOKEN=... python -m scripts.load BASE_URL [--clients 32] [--requests 200]

BASE_URL is what `cf-vectorize serve` prints (http://127.0.0.1:PORT/client/v4); the stand-in
must serve the bundled `sample` index. Each client is a thread with its own keep-alive
connection; of every ten requests, one carries a wrong token (401, code 10000), one asks
for 21 ids (400, code 40007) and eight ask for three known ids and an unknown one (200,
exactly the known vectors, with their stored values). Prints one JSON object of figures;
exits 1 when any answer is wrong or any request fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import httpx

from cf_vectorize._config import ENV_API_TOKEN
from cf_vectorize._limits import MAX_IDS_PER_REQUEST
from scripts._paths import ROOT

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
PATH = f"/accounts/{ACCOUNT}/vectorize/v2/indexes/sample/get_by_ids"
KEPT_EXAMPLES = 5


def sample_vectors() -> dict[str, dict[str, Any]]:
    """Return the bundled sample index, read independently of the stand-in's loader."""
    text = resources.files("cf_vectorize").joinpath("data", "sample.ndjson").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {record["id"]: record for record in records}


@dataclass
class Tally:
    """Counts shared by the client threads."""

    ok: int = 0
    wrong: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, problem: str | None, *, failed: bool = False) -> None:
        """Count one answer: right (problem None), wrong, or failed."""
        with self.lock:
            if problem is None:
                self.ok += 1
                return
            if failed:
                self.errors += 1
            else:
                self.wrong += 1
            if len(self.examples) < KEPT_EXAMPLES:
                self.examples.append(problem)


def _problem(
    response: httpx.Response, status: int, code: int | None, found: list[str]
) -> str | None:
    """Return what is wrong with response, or None when it is the expected answer."""
    body = response.json()
    if response.status_code != status:
        return f"status {response.status_code}, expected {status}"
    if code is not None:
        codes = [item["code"] for item in body.get("errors", [])]
        return None if body.get("success") is False and codes == [code] else f"errors {codes}"
    got = {vector["id"]: vector for vector in body["result"]}
    if body.get("success") is not True or sorted(got) != sorted(found):
        return f"result ids {sorted(got)}, expected {sorted(found)}"
    sample = SAMPLE
    for vector_id, vector in got.items():
        if vector["values"] != sample[vector_id]["values"]:
            return f"values of {vector_id} differ from the sample index"
    return None


SAMPLE = sample_vectors()


def client_thread(base_url: str, token: str, number: int, requests: int, tally: Tally) -> None:
    """Send requests on one keep-alive connection and check each answer."""
    ids = sorted(SAMPLE)
    good = {"Authorization": f"Bearer {token}"}
    bad = {"Authorization": f"Bearer not-{token}"}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for m in range(requests):
            kind = m % 10
            try:
                if kind == 7:
                    response = http.post(PATH, json={"ids": ids[:1]}, headers=bad)
                    tally.add(_problem(response, 401, 10000, []))
                elif kind == 3:
                    asked = [f"id-{n}" for n in range(MAX_IDS_PER_REQUEST + 1)]
                    response = http.post(PATH, json={"ids": asked}, headers=good)
                    tally.add(_problem(response, 400, 40007, []))
                else:
                    known = [ids[(number * 7 + m + k) % len(ids)] for k in range(3)]
                    asked = [*known, f"unknown-{number}-{m}"]
                    response = http.post(PATH, json={"ids": asked}, headers=good)
                    tally.add(_problem(response, 200, None, list(dict.fromkeys(known))))
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                tally.add(f"{type(error).__name__}: {error}", failed=True)


def from_another_process(
    base_url: str, token: str, clients: int, requests: int, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run this load in a second Python process (so it does not share the server's GIL)."""
    return subprocess.run(
        [sys.executable, "-m", "scripts.load", base_url, "--clients", str(clients),
         "--requests", str(requests)],
        cwd=ROOT,
        env={**os.environ, ENV_API_TOKEN: token},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the load and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=200, help="per client")
    args = parser.parse_args(argv)
    token = os.environ.get(ENV_API_TOKEN)
    if not token:
        parser.error(f"set {ENV_API_TOKEN} to the stand-in's token")
    tally = Tally()
    threads = [
        threading.Thread(target=client_thread, args=(args.base_url, token, n, args.requests, tally))
        for n in range(args.clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    total = tally.ok + tally.wrong + tally.errors
    figures = {
        "clients": args.clients,
        "requests": total,
        "correct": tally.ok,
        "wrong": tally.wrong,
        "errors": tally.errors,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds, 1) if seconds else None,
        "examples": tally.examples,
    }
    print(json.dumps(figures))
    return 0 if tally.ok == args.clients * args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
