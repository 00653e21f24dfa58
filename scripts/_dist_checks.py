"""What the release files must and must not hold (used by scripts.dist and the tests)."""

from __future__ import annotations

import tarfile
import zipfile
from email.message import Message
from importlib.metadata import PathDistribution
from pathlib import Path
from typing import cast

DIST_NAME = "cf_vectorize"  # the normalised distribution name in file names
PACKAGES = ("cf_vectorize", "cf_vectorize_api")
# Files a user of the sdist needs to rebuild, regenerate and test (relative to its root).
SDIST_REQUIRED = (
    "pyproject.toml",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "openapi.yaml",
    "generated/pyproject.toml",
    "generated/cf_vectorize_api/__init__.py",
    "generated/cf_vectorize_api/py.typed",
    "src/cf_vectorize/__init__.py",
    "src/cf_vectorize/_version.py",
    "src/cf_vectorize/py.typed",
)
CLASSIFIERS_REQUIRED = ("Typing :: Typed", "Programming Language :: Python :: 3.11")


def _junk(name: str) -> bool:
    """Build leftovers and development files that have no place in a release file."""
    parts = name.split("/")
    return "__pycache__" in parts or name.endswith((".pyc", ".pyo")) or ".venv" in parts


def _distribution(wheel: Path, version: str) -> PathDistribution:
    """Return the wheel's .dist-info as importlib.metadata reads an installed one."""
    return PathDistribution(zipfile.Path(wheel, at=f"{DIST_NAME}-{version}.dist-info/"))


def wheel_metadata(wheel: Path, version: str) -> Message:
    """Return the wheel's METADATA as a message (headers)."""
    return cast(Message, _distribution(wheel, version).metadata)  # an email Message at run time


def entry_points(wheel: Path, version: str, group: str) -> dict[str, str]:
    """Return the entry points of ``group`` the wheel declares, name to object reference."""
    return {e.name: e.value for e in _distribution(wheel, version).entry_points.select(group=group)}


def console_scripts(wheel: Path, version: str) -> list[str]:
    """Return the names of the console scripts the wheel declares."""
    return list(entry_points(wheel, version, "console_scripts"))


def wheel_problems(wheel: Path, version: str) -> list[str]:
    """List what is wrong with the wheel: contents and metadata. Empty when it is fine."""
    dist_info = f"{DIST_NAME}-{version}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    problems = []
    top = {name.split("/")[0] for name in names}
    if top != {*PACKAGES, dist_info}:
        problems.append(
            f"wheel top level is {sorted(top)}, expected {sorted({*PACKAGES, dist_info})}"
        )
    problems += [
        f"wheel lacks {package}/{file}"
        for package in PACKAGES
        for file in ("__init__.py", "py.typed")
        if f"{package}/{file}" not in names
    ]
    problems += [f"wheel holds {name}" for name in names if _junk(name) or name.endswith(".toml")]
    if f"{dist_info}/licenses/LICENSE" not in names:
        problems.append("wheel lacks the LICENSE file")
    meta = wheel_metadata(wheel, version)
    expected = {
        "Name": "cf-vectorize",
        "Version": version,
        "License-Expression": "MIT",
        "License-File": "LICENSE",
        "Requires-Python": ">=3.11",
    }
    problems += [
        f"wheel metadata {key} is {meta.get(key)!r}, expected {value!r}"
        for key, value in expected.items()
        if meta.get(key) != value
    ]
    # The pytest fixtures load through pytest's entry point; pytest stays optional.
    if entry_points(wheel, version, "pytest11") != {"cf_vectorize": "cf_vectorize.testing"}:
        problems.append("wheel does not register cf_vectorize.testing as a pytest11 plugin")
    if any(
        req.startswith("pytest") and "extra ==" not in req
        for req in meta.get_all("Requires-Dist") or []
    ):
        problems.append("wheel requires pytest: the plugin must keep it optional")
    classifiers = meta.get_all("Classifier") or []
    problems += [
        f"wheel lacks classifier {c!r}" for c in CLASSIFIERS_REQUIRED if c not in classifiers
    ]
    return problems


def sdist_problems(sdist: Path, version: str) -> list[str]:
    """List what is wrong with the sdist's contents. Empty when it is fine."""
    root = f"{DIST_NAME}-{version}"
    with tarfile.open(sdist) as archive:
        names = [name.removeprefix(f"{root}/") for name in archive.getnames()]
    problems = [f"sdist lacks {name}" for name in SDIST_REQUIRED if name not in names]
    problems += [f"sdist holds {name}" for name in names if _junk(name)]
    return problems
