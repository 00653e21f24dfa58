"""Compare Cloudflare's published description of our operations with our openapi.yaml.

Usage: python -m scripts.upstream_diff FILE [--operation ID ...] [--ours openapi.yaml]
       [--allowlist FILE]

FILE is Cloudflare's whole OpenAPI document (JSON or YAML, optionally gzipped) or a fragment
holding the operations. Each operation of our spec (or each ``--operation``) is found on both
sides by its operationId, reduced to facts (see scripts/_spec_facts.py) and diffed; an
operation missing upstream is itself a difference. A difference is allowed only when
upstream-allowlist.yaml names its fact and both of its values (and, when the entry names
operations, one of them); every other one is printed. Exit status: 0 when our spec still
covers upstream, 1 when something differs, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from scripts._paths import ROOT, SPEC
from scripts._spec_facts import (
    Facts,
    SpecError,
    load_document,
    operation_facts,
    operation_ids,
    same,
)

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
    """An allow-list entry: fact names (``*`` globs), the value expected on each side, why.

    ``operations`` limits it to those operationIds; empty means every operation.
    """

    facts: tuple[str, ...]
    upstream: Any
    ours: Any
    reason: str
    operations: tuple[str, ...] = ()

    def applies_to(self, operation_id: str) -> bool:
        """Whether this entry is meant for the operation ``operation_id``."""
        return not self.operations or operation_id in self.operations

    def allows(self, diff: Difference, operation_id: str | None = None) -> bool:
        """Whether ``diff`` (of ``operation_id``) is this deliberate difference, exactly."""
        return (
            (operation_id is None or self.applies_to(operation_id))
            and any(fnmatchcase(diff.fact, pattern) for pattern in self.facts)
            and _same(diff.upstream, self.upstream)
            and _same(diff.ours, self.ours)
        )


def _same(a: object, b: object) -> bool:
    return a is b if a is ABSENT or b is ABSENT else same(a, b)


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
        operations = entry.get("operations", entry.get("operation", ()))
        allowances.append(
            Allowance(
                facts=(facts,) if isinstance(facts, str) else tuple(facts),
                upstream=entry.get("upstream", ABSENT),
                ours=entry.get("ours", ABSENT),
                reason=" ".join(str(entry["reason"]).split()),
                operations=(operations,) if isinstance(operations, str) else tuple(operations),
            )
        )
    return allowances


def _allowance(
    diff: Difference, operation_id: str, allowances: Sequence[Allowance]
) -> Allowance | None:
    return next((a for a in allowances if a.allows(diff, operation_id)), None)


def report(
    diffs_by_operation: Mapping[str, Sequence[Difference] | SpecError],
    allowances: Sequence[Allowance],
) -> tuple[list[str], int]:
    """Return the report's lines and the number of differences not on the allow-list.

    ``diffs_by_operation`` maps each operationId compared to its differences, or to the
    error that says it is missing upstream (one unexplained difference).
    """
    lines: list[str] = []
    unexplained_total = 0
    used: set[int] = set()
    for operation_id, diffs in diffs_by_operation.items():
        lines.append(f"{operation_id}:")
        if isinstance(diffs, SpecError):
            lines.append(f"  missing upstream: {diffs}")
            unexplained_total += 1
            continue
        allowed = [(d, _allowance(d, operation_id, allowances)) for d in diffs]
        unexplained = [d for d, a in allowed if a is None]
        if unexplained:
            lines.append(
                f"  {len(unexplained)} difference(s) not on the allow-list "
                "(added: upstream only; removed: ours only; changed: both, values differ):"
            )
            lines += [f"    {d.describe()}" for d in unexplained]
        else:
            lines.append("  No difference beyond the allow-list: our spec still covers upstream.")
        lines.append(
            f"  {len(diffs) - len(unexplained)} deliberate difference(s) on the allow-list."
        )
        used |= {id(a) for _, a in allowed if a is not None}
        unexplained_total += len(unexplained)
    compared = [op for op, diffs in diffs_by_operation.items() if not isinstance(diffs, SpecError)]
    for allowance in allowances:
        meant = any(allowance.applies_to(op) for op in compared)
        if meant and id(allowance) not in used:
            lines.append(
                f"note: allow-list entry {', '.join(allowance.facts)} matched nothing "
                "(upstream may have adopted it, or its values changed)"
            )
    return lines, unexplained_total


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison; return 0, 1 (differences) or 2 (unreadable input)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "upstream", type=Path, help="Cloudflare's OpenAPI document (.json/.yaml/.gz)"
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="ID",
        help="compare only this operationId (repeatable; default: every operation of ours)",
    )
    parser.add_argument("--ours", type=Path, default=SPEC, help="our spec (default: openapi.yaml)")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST, help="deliberate differences")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list allowed ones")
    args = parser.parse_args(argv)
    try:
        ours_doc = load_document(args.ours)
        wanted = args.operation or operation_ids(ours_doc)
        ours = {op: operation_facts(ours_doc, op) for op in wanted}
        allowances = load_allowlist(args.allowlist)
        upstream_doc = load_document(args.upstream)
    except (SpecError, OSError, yaml.YAMLError) as exc:
        print(f"upstream-diff: {exc}", file=sys.stderr)
        return 2
    diffs: dict[str, list[Difference] | SpecError] = {}
    counts = []
    for operation_id, our_facts in ours.items():
        try:
            upstream = operation_facts(upstream_doc, operation_id)
        except SpecError as exc:  # gone or broken upstream: that is a difference
            diffs[operation_id] = exc
            continue
        diffs[operation_id] = diff_facts(upstream, our_facts)
        counts.append(f"{operation_id} {len(upstream)}/{len(our_facts)}")
    print(
        f"upstream: {args.upstream}; ours: {args.ours}; facts (upstream/ours): {', '.join(counts)}"
    )
    lines, unexplained = report(diffs, allowances)
    print("\n".join(lines))
    if args.verbose:
        for operation_id, found in diffs.items():
            for diff in found if isinstance(found, list) else ():
                allowance = _allowance(diff, operation_id, allowances)
                if allowance is not None:
                    print(
                        f"  allowed {operation_id}: {diff.describe()}\n"
                        f"          because {allowance.reason}"
                    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
