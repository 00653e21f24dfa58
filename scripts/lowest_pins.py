"""Print `name==lowest` for every dependency of pyproject.toml, extras included.

Usage: python -m scripts.lowest_pins   (what `make test-lowest` installs, with pip)

The lowest version is each requirement's `>=` bound, so `make test-lowest` proves the
bounds true: it installs exactly these into `.venv-lowest` and runs the smoke suite there.
A requirement without a `>=` bound is an error: the bound would claim nothing.
Runs on the interpreter that makes the environments: standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A requirement as this project writes them: name, optional [extras], specifiers, no marker.
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)$")


def requirements(pyproject: Path) -> list[str]:
    """Return the dependencies of pyproject, then those of each extra, in file order."""
    project = tomllib.loads(pyproject.read_text())["project"]
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    return found


def lowest_pin(requirement: str) -> str:
    """Return `name==version` for the `>=` bound of one requirement."""
    match = REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, specifiers = match.groups()
    for specifier in specifiers.split(","):
        operator, _, version = specifier.strip().partition(">=")
        if not operator and version:
            return f"{name}=={version.strip()}"
    raise ValueError(f"{requirement!r} has no lower bound (>=)")


def lowest_pins(requirements: Iterable[str]) -> list[str]:
    """Return one pin per distinct package (the first requirement naming it wins)."""
    pins: dict[str, str] = {}
    for requirement in requirements:
        pin = lowest_pin(requirement)
        pins.setdefault(pin.split("==")[0].lower().replace("_", "-"), pin)
    return list(pins.values())


def main() -> int:
    """Print the pins of the project's pyproject.toml, one a line."""
    try:
        pins = lowest_pins(requirements(ROOT / "pyproject.toml"))
    except ValueError as error:
        print(f"lowest_pins: {error}", file=sys.stderr)
        return 1
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
