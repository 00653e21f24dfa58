"""Where things are in the repository, for the scripts."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
GENERATOR_CONFIG = ROOT / "generator-config.yaml"
TEMPLATES = ROOT / "templates"
GENERATED = ROOT / "generated"
VERSION_FILE = ROOT / "src" / "cf_vectorize" / "_version.py"
