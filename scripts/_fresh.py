"""Code run in a fresh interpreter of this environment, for figures a warm process would skew."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from scripts._paths import ROOT


def python_output(
    code: str, *, env: Mapping[str, str] | None = None, timeout: float | None = 600
) -> str:
    """Run `python -c code` from the project folder; return its stdout (raise if it fails)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    ).stdout
