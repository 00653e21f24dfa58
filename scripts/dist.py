"""Build the release files, check them, and smoke-test them in fresh virtual environments.

Usage: python -m scripts.dist [--outdir dist] [--no-isolation]

1. `python -m build`: the sdist, then the wheel built from that sdist (so a file missing
   from the sdist breaks the build here rather than for users);
2. `twine check --strict` on both;
3. contents and metadata (scripts/_dist_checks.py): both packages with their py.typed,
   no build leftovers, the sdist holds generated/ and src/;
4. a fresh virtual environment installs the wheel and imports both packages, and runs
   `cf-vectorize --help` when the wheel declares that console script;
5. the same environment installs pytest alone and runs the README's example test file
   (tests/plugin_example/) in an empty folder: the pytest plugin, from the wheel only;
6. another fresh one installs `./generated` alone and imports `cf_vectorize_api`.
Steps 4 to 6 install the runtime dependencies (and pytest) from the package index.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Sequence
from pathlib import Path

from scripts._dist_checks import console_scripts, sdist_problems, wheel_problems
from scripts._paths import GENERATED, ROOT
from scripts.generate import project_version

# The README's example test file of the pytest plugin, run against the wheel alone.
PLUGIN_EXAMPLE = ROOT / "tests" / "plugin_example" / "test_vectorize_example.py"

SMOKE = """
import cf_vectorize, cf_vectorize_api, sys
from cf_vectorize_api.models import GetVectorsByIdRequest
for module in (cf_vectorize, cf_vectorize_api):
    assert module.__file__.startswith(sys.prefix), f"{module.__name__} from {module.__file__}"
assert cf_vectorize.__version__ == sys.argv[1], cf_vectorize.__version__
assert GetVectorsByIdRequest(ids=["a"]).to_dict() == {"ids": ["a"]}
print("imported", cf_vectorize.__name__, cf_vectorize.__version__, "and", cf_vectorize_api.__name__)
"""
SMOKE_GENERATED = """
import cf_vectorize_api, sys
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
assert cf_vectorize_api.__file__.startswith(sys.prefix), cf_vectorize_api.__file__
print("imported", cf_vectorize_api.__name__, "alone")
"""


def run(*command: str | Path, cwd: Path = ROOT) -> None:
    """Run a command, echoing it; stop with its status when it fails."""
    shown = ("<program>" if "\n" in str(part) else str(part) for part in command)
    print("+", " ".join(shown), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=cwd, check=False)
    if result.returncode:
        raise SystemExit(result.returncode)


def fresh_python(folder: Path) -> Path:
    """Create a virtual environment with pip in ``folder``; return its interpreter."""
    venv.create(folder, with_pip=True, clear=True)
    return folder / "bin" / "python"


def pip_install(python: Path, *what: str | Path) -> None:
    """Install into the environment of ``python``, quietly."""
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *what)


def build(outdir: Path, *, isolation: bool) -> tuple[Path, Path]:
    """Build the sdist and the wheel into an emptied ``outdir``; return their paths."""
    shutil.rmtree(outdir, ignore_errors=True)
    run(
        sys.executable,
        "-m",
        "build",
        "--outdir",
        outdir,
        *([] if isolation else ["--no-isolation"]),
    )
    sdists, wheels = sorted(outdir.glob("*.tar.gz")), sorted(outdir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        raise SystemExit(f"expected one sdist and one wheel in {outdir}, got {sdists + wheels}")
    return sdists[0], wheels[0]


def smoke_test(wheel: Path, version: str, tmp: Path) -> Path:
    """Install the wheel in a fresh environment, import it, run its command if declared.

    Return the environment's interpreter.
    """
    python = fresh_python(tmp / "wheel-venv")
    pip_install(python, wheel)
    run(python, "-c", SMOKE, version, cwd=tmp)  # not ROOT: the checkout must not be importable
    if "cf-vectorize" in console_scripts(wheel, version):
        run(python.parent / "cf-vectorize", "--help", cwd=tmp)
    else:
        print("cf-vectorize is not declared in [project.scripts]: `--help` not run")
    return python


def plugin_test(python: Path, tmp: Path) -> None:
    """Run the README's example test file with pytest and the installed wheel only."""
    pip_install(python, "pytest")
    folder = tmp / "users-project"
    folder.mkdir()
    shutil.copy(PLUGIN_EXAMPLE, folder / PLUGIN_EXAMPLE.name)
    run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", PLUGIN_EXAMPLE.name, cwd=folder)


def smoke_test_generated(tmp: Path) -> None:
    """Install ./generated alone in a fresh environment and import it."""
    python = fresh_python(tmp / "generated-venv")
    pip_install(python, GENERATED)
    run(python, "-c", SMOKE_GENERATED, cwd=tmp)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every step; exit non-zero at the first failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--no-isolation", action="store_true", help="build with this environment's hatchling"
    )
    args = parser.parse_args(argv)
    version = project_version()
    started = time.monotonic()
    sdist, wheel = build(args.outdir.resolve(), isolation=not args.no_isolation)
    run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel)
    problems = wheel_problems(wheel, version) + sdist_problems(sdist, version)
    if problems:
        print("\n".join(["release files are not right:", *problems]), file=sys.stderr)
        return 1
    print(f"contents ok: {wheel.name} ({wheel.stat().st_size:,} bytes), ", end="")
    print(f"{sdist.name} ({sdist.stat().st_size:,} bytes)")
    with tempfile.TemporaryDirectory(prefix="cf-vectorize-dist-") as tmp:
        python = smoke_test(wheel, version, Path(tmp))
        plugin_test(python, Path(tmp))
        smoke_test_generated(Path(tmp))
    print(f"make dist: all checks passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
