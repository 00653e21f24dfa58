"""Compare Cloudflare's published description of get_by_ids with our openapi.yaml.

Usage: python -m scripts.upstream_diff FILE [--ours openapi.yaml] [--allowlist FILE]

FILE is Cloudflare's whole OpenAPI document (JSON or YAML, optionally gzipped) or a fragment
holding the operation. Both sides are reduced to facts (see scripts/_spec_facts.py) and
diffed. A difference is allowed only when upstream-allowlist.yaml names its fact and both of
its values; every other one is printed. Exit status: 0 when our spec still covers upstream,
1 when something differs, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from scripts._paths import ROOT, SPEC
from scripts._spec_facts import Facts, SpecError, load_document, operation_facts

ALLOWLIST = ROOT / "upstream-allowlist.yaml"
ABSENT: Any = object()  # a fact missing on one side; never equal to a value


@dataclass(frozen=True)
class Difference:
    """One fact whose value differs; ABSENT on the side that lacks it."""

    fact: str
    upstream: Any
    ours: Any

    @property
    def kind(self) -> str:
        """`added` upstream, `removed` upstream (ours only), or `changed`."""
        if self.ours is ABSENT:
            return "added"
        return "removed" if self.upstream is ABSENT else "changed"

    def describe(self) -> str:
        """One line: the fact and both values."""
        return (
            f"{self.kind:8} {self.fact}: upstream {_show(self.upstream)}, ours {_show(self.ours)}"
        )


@dataclass(frozen=True)
class Allowance:
    """An allow-list entry: fact names (``*`` globs), the value expected on each side, why."""

    facts: tuple[str, ...]
    upstream: Any
    ours: Any
    reason: str

    def allows(self, diff: Difference) -> bool:
        """Whether ``diff`` is this deliberate difference, with exactly these values."""
        return (
            any(fnmatchcase(diff.fact, pattern) for pattern in self.facts)
            and _same(diff.upstream, self.upstream)
            and _same(diff.ours, self.ours)
        )


def _same(a: object, b: object) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is b
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _show(value: object) -> str:
    return "(absent)" if value is ABSENT else json.dumps(value)


def diff_facts(upstream: Facts, ours: Facts) -> list[Difference]:
    """Every fact whose value is not the same on both sides, sorted by name."""
    return [
        Difference(name, upstream.get(name, ABSENT), ours.get(name, ABSENT))
        for name in sorted(upstream.keys() | ours.keys())
        if not _same(upstream.get(name, ABSENT), ours.get(name, ABSENT))
    ]


def load_allowlist(path: Path) -> list[Allowance]:
    """Read the allow-list; a missing `upstream` or `ours` key means absent on that side."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    allowances = []
    for entry in entries:
        facts = entry.get("facts", entry.get("fact"))
        if not facts or not entry.get("reason"):
            raise SpecError(f"{path}: each entry needs `fact` (or `facts`) and `reason`: {entry}")
        allowances.append(
            Allowance(
                facts=(facts,) if isinstance(facts, str) else tuple(facts),
                upstream=entry.get("upstream", ABSENT),
                ours=entry.get("ours", ABSENT),
                reason=" ".join(str(entry["reason"]).split()),
            )
        )
    return allowances


def report(diffs: Sequence[Difference], allowances: Sequence[Allowance]) -> tuple[list[str], int]:
    """Return the report's lines and the number of differences not on the allow-list."""
    lines: list[str] = []
    allowed = [(d, next((a for a in allowances if a.allows(d)), None)) for d in diffs]
    unexplained = [d for d, a in allowed if a is None]
    if unexplained:
        lines.append(
            f"{len(unexplained)} difference(s) not on the allow-list "
            "(added: upstream only; removed: ours only; changed: both, values differ):"
        )
        lines += [f"  {d.describe()}" for d in unexplained]
    else:
        lines.append("No difference beyond the allow-list: our spec still covers upstream.")
    lines.append(f"{len(diffs) - len(unexplained)} deliberate difference(s) on the allow-list.")
    used = {id(a) for _, a in allowed if a is not None}
    for allowance in allowances:
        if id(allowance) not in used:
            lines.append(
                f"  note: allow-list entry {', '.join(allowance.facts)} matched nothing "
                "(upstream may have adopted it, or its values changed)"
            )
    return lines, len(unexplained)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison; return 0, 1 (differences) or 2 (unreadable input)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "upstream", type=Path, help="Cloudflare's OpenAPI document (.json/.yaml/.gz)"
    )
    parser.add_argument("--ours", type=Path, default=SPEC, help="our spec (default: openapi.yaml)")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST, help="deliberate differences")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list allowed ones")
    args = parser.parse_args(argv)
    try:
        ours = operation_facts(load_document(args.ours))
        allowances = load_allowlist(args.allowlist)
        upstream_doc = load_document(args.upstream)
    except (SpecError, OSError, yaml.YAMLError) as exc:
        print(f"upstream-diff: {exc}", file=sys.stderr)
        return 2
    try:
        upstream = operation_facts(upstream_doc)
    except SpecError as exc:  # the operation is gone or broken upstream: that is a difference
        print(f"upstream-diff: {args.upstream}: {exc}")
        return 1
    print(
        f"upstream: {args.upstream} ({len(upstream)} facts); ours: {args.ours} ({len(ours)} facts)"
    )
    diffs = diff_facts(upstream, ours)
    lines, unexplained = report(diffs, allowances)
    print("\n".join(lines))
    if args.verbose:
        for diff in diffs:
            reason = next((a.reason for a in allowances if a.allows(diff)), None)
            if reason:
                print(f"  allowed {diff.describe()}\n          because {reason}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
