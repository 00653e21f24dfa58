"""Delete an output folder and write the generated client into it from openapi.yaml.

Usage: python -m scripts.generate [OUTPUT]   (default: generated/)

The output is rebuilt from scratch because the generator's --overwrite leaves stale
files behind, and with --fail-on-warning because it otherwise drops constructs silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from scripts._paths import GENERATED, GENERATOR_CONFIG, ROOT, SPEC, TEMPLATES, VERSION_FILE


def project_version() -> str:
    """Return the version kept in src/cf_vectorize/_version.py."""
    match = re.search(r'^__version__ = "([^"]+)"$', VERSION_FILE.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no __version__ in {VERSION_FILE}")
    return match.group(1)


def tool_path() -> str:
    """Return a PATH with this interpreter's scripts first, so post-hooks run the pinned ruff."""
    bin_dir = Path(sys.executable).parent
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    # The generator leaves the output unformatted, exit code 0, when ruff is missing.
    if shutil.which("ruff", path=path) is None:
        raise SystemExit("ruff is not installed next to this Python: run `make install`")
    return path


def generate(output: Path) -> None:
    """Write the client generated from openapi.yaml into output, deleting it first."""
    path = tool_path()
    generator = shutil.which("openapi-python-client", path=path)
    if generator is None:
        raise SystemExit("openapi-python-client is not installed: run `make install`")
    shutil.rmtree(output, ignore_errors=True)
    config = yaml.safe_load(GENERATOR_CONFIG.read_text())
    config["package_version_override"] = project_version()
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "generator-config.yaml"
        config_file.write_text(yaml.safe_dump(config))
        command = [
            generator, "generate",
            "--path", str(SPEC),
            "--config", str(config_file),
            "--meta", "uv",
            "--custom-template-path", str(TEMPLATES),
            "--output-path", str(output),
            "--fail-on-warning",
        ]  # fmt: skip
        result = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "PATH": path},
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"openapi-python-client failed (exit {result.returncode})")


def main() -> None:
    """Generate into the folder named on the command line, or generated/."""
    output = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else GENERATED
    generate(output)
    print(f"generated {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
