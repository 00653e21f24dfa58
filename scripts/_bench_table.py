"""The benchmark's results table: medians, ratios, targets and verdicts, as markdown."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scripts._markdown import table


@dataclass(frozen=True)
class Target:
    """A goal met when `value / reference` is at most `limit` (so 0.1 means 10 times faster)."""

    reference: str  # the contender compared with, named as in the table
    limit: float
    ratio: float

    @property
    def met(self) -> bool:
        """Whether the ratio is within the limit."""
        return self.ratio <= self.limit

    def describe(self) -> str:
        """Say the goal and the ratio measured, such as `<= 1.10 x httpx + json (got 1.04 x)`."""
        return f"<= {self.limit:.2f} x {self.reference} (got {self.ratio:.2f} x)"


@dataclass(frozen=True)
class Row:
    """One measured contender in one scenario."""

    scenario: str
    contender: str
    value: float  # seconds or bytes, see unit
    unit: str  # "s" or "B"
    baseline: float | None = None  # the scenario's reference value, for the ratio column
    targets: tuple[Target, ...] = field(default_factory=tuple)
    note: str = ""


def median(samples: Sequence[float]) -> float:
    """Return the median of samples; a benchmark figure needs at least one sample."""
    if not samples:
        raise ValueError("no samples")
    return statistics.median(samples)


def target(reference: str, value: float, reference_value: float, limit: float) -> Target:
    """Build the target `value <= limit * reference_value`."""
    if reference_value <= 0:
        raise ValueError(f"reference {reference!r} has a non-positive value {reference_value}")
    return Target(reference=reference, limit=limit, ratio=value / reference_value)


def format_value(value: float, unit: str) -> str:
    """Seconds as s / ms / µs with three significant digits; bytes as MiB."""
    if unit == "B":
        return f"{value / 2**20:.1f} MiB"
    if unit != "s":
        raise ValueError(f"unknown unit {unit!r}")
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def verdict(targets: Iterable[Target]) -> str:
    """`met`, `missed`, or an empty string when the row has no target."""
    targets = list(targets)
    if not targets:
        return ""
    return "met" if all(t.met for t in targets) else "**missed**"


def render(rows: Sequence[Row], baselines: dict[str, str]) -> str:
    """Return the markdown table; `baselines` names each scenario's ratio reference."""
    header = ("scenario", "contender", "median", "x baseline", "target", "result")
    return "\n".join(
        table(header, (_cells(r, baselines) for r in rows), right={"median", "x baseline"})
    )


def _cells(row: Row, baselines: dict[str, str]) -> tuple[str, ...]:
    scenario = row.scenario
    if scenario in baselines:
        scenario += f" (baseline: {baselines[scenario]})"
    ratio = f"{row.value / row.baseline:.2f}" if row.baseline else ""
    goals = "; ".join(t.describe() for t in row.targets)
    value = format_value(row.value, row.unit) + (f" {row.note}" if row.note else "")
    return scenario, row.contender, value, ratio, goals, verdict(row.targets)


def missed(rows: Iterable[Row]) -> list[str]:
    """Name each row whose targets are not all met, as `scenario / contender`."""
    return [f"{r.scenario} / {r.contender}" for r in rows if verdict(r.targets) == "**missed**"]
