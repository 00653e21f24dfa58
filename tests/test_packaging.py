"""The release files: built offline from this checkout, then inspected (`make dist` does more)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts._dist_checks import console_scripts, sdist_problems, wheel_metadata, wheel_problems
from scripts._paths import ROOT
from scripts.generate import project_version

VERSION = project_version()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the sdist, then the wheel from it, with this environment's hatchling."""
    outdir = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (sdist,) = outdir.glob("*.tar.gz")
    (wheel,) = outdir.glob("*.whl")
    return sdist, wheel


def test_wheel_holds_both_typed_packages_and_nothing_else(release: tuple[Path, Path]) -> None:
    assert wheel_problems(release[1], VERSION) == []


def test_sdist_holds_generated_and_src(release: tuple[Path, Path]) -> None:
    assert sdist_problems(release[0], VERSION) == []


def test_metadata_passes_twine_strict_check(release: tuple[Path, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, release)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metadata_carries_the_one_version_and_the_project_urls(
    release: tuple[Path, Path],
) -> None:
    meta = wheel_metadata(release[1], VERSION)
    assert release[1].name == f"cf_vectorize-{VERSION}-py3-none-any.whl"
    urls = {url.split(",")[0] for url in meta.get_all("Project-URL") or []}
    assert urls == {"Homepage", "Repository", "Issues", "Changelog"}
    assert any(req.startswith("httpx") for req in meta.get_all("Requires-Dist") or [])


def test_console_script_is_read_from_the_wheel(release: tuple[Path, Path]) -> None:
    declared = "cf-vectorize" in (ROOT / "pyproject.toml").read_text()
    assert ("cf-vectorize" in console_scripts(release[1], VERSION)) == declared


def test_the_checks_catch_a_bad_wheel(release: tuple[Path, Path], tmp_path: Path) -> None:
    """A wheel without one py.typed and with a stray pyproject.toml is refused."""
    bad = tmp_path / release[1].name
    with zipfile.ZipFile(release[1]) as good, zipfile.ZipFile(bad, "w") as out:
        for item in good.infolist():
            if item.filename != "cf_vectorize_api/py.typed":
                out.writestr(item, good.read(item))
        out.writestr("cf_vectorize_api/pyproject.toml", "[project]\n")
    assert wheel_problems(bad, VERSION) == [
        "wheel lacks cf_vectorize_api/py.typed",
        "wheel holds cf_vectorize_api/pyproject.toml",
    ]
