"""Run the reliability suite's scenarios and properties, and print their figures as tables.

Usage: python -m scripts.reliability   (`make reliability`)

1. Every fault scenario of tests/faults.py against a fault server on 127.0.0.1, with the
   sync and the async client: requests sent, outcome, time taken, what a redirect target
   or a proxy received (and whether a credential was among it), and whether it is the
   outcome the scenario fixes; then its interrupts, closings and event loops: time to stop
   and requests sent after.
2. The hypothesis properties of tests/test_hostile_input.py and test_hostile_responses.py:
   inputs tried, by outcome.
3. The stand-in under scripts/load.py (32 clients x 200 requests, from a second process).
4. The response cap: peak memory of one call against oversized and compressed bodies, each
   in a child process (scripts/peak_memory.py), with plain httpx as the uncapped baseline.
5. The stand-in's own scenarios of tests/standin_faults.py at full scale: hostile request
   lines, methods and bodies; 300 connections dripping a byte a second; loading files of
   100,000 x 768 and 1,000,000 x 8 (time, and peak memory per MiB of file, target 1.5).

Exits 1 when any scenario or property does not hold. The same definitions run under pytest
(`make test`); this only reports them with figures.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable

from cf_vectorize.server import Credentials, StandInServer
from scripts import load, peak_memory
from scripts._markdown import table
from tests import faults, standin_faults, test_hostile_input, test_hostile_responses

PROPERTIES: list[tuple[Callable[..., None], tuple[str, ...]]] = [
    (test_hostile_input.test_any_account_id, faults.CLIENTS),
    (test_hostile_input.test_any_index_name, faults.CLIENTS),
    (test_hostile_input.test_any_ids, faults.CLIENTS),
    (test_hostile_input.test_very_long_id_lists, faults.CLIENTS),
    (test_hostile_input.test_any_base_url, faults.CLIENTS),
    (test_hostile_responses.test_valid_bodies_give_exactly_the_vectors_asked_for, faults.CLIENTS),
    (test_hostile_responses.test_mutated_valid_bodies, faults.CLIENTS),
    (test_hostile_responses.test_any_json, faults.CLIENTS),
    (test_hostile_responses.test_truncated_and_garbled_bytes, faults.CLIENTS),
    (test_hostile_responses.test_the_valid_bodies_are_valid_per_the_spec, ()),
    (test_hostile_responses.test_the_error_bodies_are_valid_per_the_spec, ()),
]


def fault_table() -> tuple[list[str], int]:
    """Run every scenario with both clients; return the table's lines and the failures."""
    rows = []
    failures = 0
    for scenario in faults.SCENARIOS:
        for client in faults.CLIENTS:
            outcome = faults.run(scenario, client)
            problems = outcome.problems()
            failures += bool(problems)
            rows.append((
                scenario.name, client, outcome.attempts, outcome.summary,
                f"{outcome.elapsed:.2f} s", len(scenario.ids), outcome.others, _holds(problems),
            ))  # fmt: skip
    header = ("scenario", "client", "attempts", "outcome", "elapsed", "ids asked", "others saw")
    return table((*header, "holds"), rows, right={"attempts", "elapsed", "ids asked"}), failures


def lifecycle_table() -> tuple[list[str], int]:
    """Interrupts, closing and event loops; return the table's lines and the failures."""
    rows = []
    failures = 0
    for name, scenario, clients in faults.LIFECYCLE:
        for client in clients:
            outcome = scenario(client)
            problems = outcome.problems()
            failures += bool(problems)
            rows.append((
                name, client, outcome.raised, f"{outcome.to_stop * 1000:.1f} ms",
                f"{outcome.sent_after} (at most {outcome.allowed_after})", _holds(problems),
            ))  # fmt: skip
    header = ("scenario", "client", "raised", "to stop", "requests sent after", "holds")
    return table(header, rows, right={"to stop", "requests sent after"}), failures


def _holds(problems: list[str]) -> str:
    return "yes" if not problems else "NO: " + "; ".join(problems)


def property_table() -> tuple[list[str], int]:
    """Run every property; return the table's lines (inputs tried, by outcome) and failures."""
    failures = 0
    errors: dict[str, str] = {}
    for test, clients in PROPERTIES:
        for client in clients or (None,):
            try:
                test(client) if client is not None else test()
            except Exception as error:  # reported in the table, and the exit status is 1
                failures += 1
                errors[f"{test.__name__} ({client})"] = f"{type(error).__name__}: {error}"[:200]
    tried: Counter[tuple[str, str]] = test_hostile_input.TRIED + test_hostile_responses.TRIED
    by_property: dict[str, Counter[str]] = {}
    for (name, outcome), count in tried.items():
        by_property.setdefault(name, Counter())[outcome] += count
    rows: list[tuple[str, object, str]] = [
        (name, outcomes.total(), ", ".join(f"{kind} {n}" for kind, n in outcomes.most_common()))
        for name, outcomes in by_property.items()
    ]
    rows += [(f"FAILED {name}", "-", error) for name, error in errors.items()]
    return table(("property", "inputs tried", "outcomes"), rows, right={"inputs tried"}), failures


def load_table(clients: int = 32, requests: int = 200) -> tuple[list[str], int]:
    """Load a stand-in from a second process; return the table's lines and failures."""
    token = secrets.token_urlsafe(24)
    with StandInServer(credentials=Credentials(token=token)) as server:
        done = load.from_another_process(server.base_url, token, clients, requests)
    try:
        figures = json.loads(done.stdout)
    except ValueError:
        return [f"load failed: {done.stderr[-500:]}"], 1
    counts = ("requests", "correct", "wrong", "errors", "seconds")
    row = (f"{clients} x {requests}", *(figures[name] for name in counts), figures["per_second"])
    lines = table(
        ("clients x requests", *counts, "requests/s"), [row], right={*counts, "requests/s"}
    )
    lines += [f"\nexample problem: {example}" for example in figures["examples"]]
    return lines, int(done.returncode != 0)


def standin_table() -> tuple[list[str], int]:
    """Run the stand-in's scenarios at full scale; return the table's lines and failures."""
    rows = []
    failures = 0
    for scenario in standin_faults.SCENARIOS:
        outcome = scenario.run("full")
        wrong = outcome.problems + outcome.misses
        failures += bool(wrong)
        figures = "; ".join(f"{name}: {value}" for name, value in outcome.figures.items())
        holds = "yes" if not wrong else "NO: " + "; ".join(wrong)[:300]
        rows.append((scenario.name, figures, holds))
    return table(("scenario", "figures", "holds"), rows), failures


def main() -> int:
    """Print the tables; return 1 when anything does not hold."""
    start = time.perf_counter()
    total = 0
    for title, make in (
        ("Faults (fault server on 127.0.0.1)", fault_table),
        (
            "Interrupts, closing, event loops (2,000 ids, 0.1 s a request, 4 in flight)",
            lifecycle_table,
        ),
        ("Hostile input and responses (hypothesis)", property_table),
        ("Stand-in under load (second process, loopback)", load_table),
        ("Response cap: peak memory of one call (child process each)", peak_memory.memory_table),
        ("Stand-in against hostile clients and large data files", standin_table),
    ):
        print(f"\n## {title}\n", flush=True)
        lines, failures = make()
        print("\n".join(lines), flush=True)
        total += failures
    scenarios = len(faults.SCENARIOS) * len(faults.CLIENTS)
    scenarios += sum(len(clients) for _, _, clients in faults.LIFECYCLE)
    print(
        f"\n{scenarios} fault runs, {len(PROPERTIES)} properties, 1 load run, "
        f"{len(peak_memory.CASES) * len(peak_memory.KINDS)} memory runs, "
        f"{len(standin_faults.SCENARIOS)} stand-in scenarios; "
        f"{total} failing; {time.perf_counter() - start:.0f} s"
    )
    return int(total > 0)


if __name__ == "__main__":
    sys.exit(main())
