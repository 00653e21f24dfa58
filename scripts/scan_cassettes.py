"""Look for anything in cassettes that could be a live credential or account id.

Usage: python -m scripts.scan_cassettes [DIR ...]   (default: tests/cassettes)

Exits 1 and names file, line and kind for each finding. What it looks for: Bearer tokens
(20+ characters, known placeholders excepted), Authorization / X-Auth-* / Cookie headers,
37-hex Global API keys, 40-character API tokens, e-mail addresses and 32-hex account ids.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts._paths import ROOT

CASSETTES_DIR = ROOT / "tests" / "cassettes"
# Values that look like credentials on purpose and are known not to be.
PLACEHOLDERS = frozenset({"REDACTED", "ACCOUNT_ID_PLACEHOLDER"})

_EDGE = r"(?<![A-Za-z0-9_-])", r"(?![A-Za-z0-9_-])"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bearer token", re.compile(r"Bearer\s+([A-Za-z0-9._~+/=-]{20,})")),
    (
        "credential header",
        re.compile(
            r"^\s*['\"]?(authorization|x-auth-key|x-auth-email|cookie|set-cookie)['\"]?:",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
    ("global API key (37 hex)", re.compile(rf"{_EDGE[0]}([0-9a-fA-F]{{37}}){_EDGE[1]}")),
    ("account id (32 hex)", re.compile(rf"{_EDGE[0]}([0-9a-fA-F]{{32}}){_EDGE[1]}")),
    ("API token (40 chars)", re.compile(rf"{_EDGE[0]}([A-Za-z0-9_-]{{40}}){_EDGE[1]}")),
    ("e-mail address", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
)


@dataclass(frozen=True)
class Finding:
    """Something that looks like a secret, and where it is."""

    path: Path
    line: int
    kind: str

    def __str__(self) -> str:
        # Never print the value itself: it may be a live secret.
        return f"{self.path}:{self.line}: looks like a {self.kind}"


def _is_token_like(value: str) -> bool:
    """Tell whether a 40-character run mixes letters and digits, as a token does."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def scan_text(text: str, path: Path, secrets: Iterable[str] = ()) -> list[Finding]:
    """Return the findings in text; secrets are exact values that must not appear either."""
    findings = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            value = match.group(match.lastindex or 0)
            if value in PLACEHOLDERS:
                continue
            if kind.startswith("API token") and not _is_token_like(value):
                continue
            findings.append(Finding(path, text.count("\n", 0, match.start()) + 1, kind))
    for secret in secrets:
        if secret and secret in text:
            line = text.count("\n", 0, text.index(secret)) + 1
            findings.append(Finding(path, line, "known secret of this recording"))
    return findings


def scan(paths: Sequence[Path], secrets: Iterable[str] = ()) -> list[Finding]:
    """Scan every file under paths (directories recursively)."""
    secrets = list(secrets)
    findings = []
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            text = file.read_text(encoding="utf-8", errors="replace")
            findings += scan_text(text, file, secrets)
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """Scan the given directories (default tests/cassettes); 1 if anything was found."""
    args = list(sys.argv[1:] if argv is None else argv)
    findings = scan([Path(arg) for arg in args] or [CASSETTES_DIR])
    for finding in findings:
        print(finding, file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
