"""Fail when generated/ differs from what openapi.yaml produces now.

Usage: python -m scripts.check_generated
Regenerates into a temporary folder and lists every added, removed or changed file.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scripts._paths import GENERATED
from scripts.generate import generate

# Left behind by tools that run in the tree (imports, type checks), never by the generator.
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def tree(root: Path) -> dict[str, bytes]:
    """Map each file's path relative to root to its bytes, skipping tool caches."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(root).parts)
    }


def differences(committed: Path, fresh: Path) -> list[str]:
    """Describe each file that is missing, stale or changed in committed against fresh."""
    old, new = tree(committed), tree(fresh)
    lines = [f"missing (spec produces it): {name}" for name in sorted(new.keys() - old.keys())]
    lines += [
        f"stale (spec no longer produces it): {name}" for name in sorted(old.keys() - new.keys())
    ]
    lines += [
        f"changed: {name}" for name in sorted(old.keys() & new.keys()) if old[name] != new[name]
    ]
    return lines


def main() -> None:
    """Regenerate into a temporary folder and compare with generated/."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "generated"
        generate(fresh)
        found = differences(GENERATED, fresh)
    if found:
        print("generated/ differs from what openapi.yaml produces; run `make generate`:")
        print("\n".join(f"  {line}" for line in found))
        sys.exit(1)
    print("generated/ matches openapi.yaml")


if __name__ == "__main__":
    main()
