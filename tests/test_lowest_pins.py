"""scripts/lowest_pins.py: the pins `make test-lowest` installs, read from pyproject.toml."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

from scripts._paths import GENERATED, ROOT
from scripts.lowest_pins import lowest_pin, lowest_pins, requirements

SOURCES = [ROOT / "src" / "cf_vectorize", GENERATED / "cf_vectorize_api"]
OWN = {"cf_vectorize", "cf_vectorize_api"}


def test_every_requirement_becomes_its_lower_bound() -> None:
    assert lowest_pin("httpx>=0.25.0,<0.29") == "httpx==0.25.0"
    assert lowest_pin("httpx <0.29, >= 0.25") == "httpx==0.25"
    assert lowest_pin("httpx[socks]>=0.25.0") == "httpx==0.25.0"
    assert lowest_pins(["attrs>=22.2.0", "Attrs>=23"]) == ["attrs==22.2.0"]


@pytest.mark.parametrize("requirement", ["httpx", "httpx<0.29", "httpx==0.25.0", "httpx>0.25"])
def test_a_requirement_without_a_lower_bound_is_refused(requirement: str) -> None:
    with pytest.raises(ValueError, match="no lower bound"):
        lowest_pin(requirement)


def test_the_project_pins_cover_runtime_and_extras() -> None:
    pins = lowest_pins(requirements(ROOT / "pyproject.toml"))
    names = {pin.split("==")[0] for pin in pins}
    assert {"httpx", "httpcore", "attrs", "orjson", "numpy"} <= names


def _imported_top_level(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_package_the_code_imports_is_declared() -> None:
    """src/ and generated/ import the standard library, themselves and declared packages."""
    declared = {pin.split("==")[0] for pin in lowest_pins(requirements(ROOT / "pyproject.toml"))}
    imported = set().union(*(_imported_top_level(folder) for folder in SOURCES))
    third_party = imported - set(sys.stdlib_module_names) - OWN
    assert third_party == declared


def test_the_generated_package_declares_the_same_bounds() -> None:
    ours = lowest_pins(requirements(ROOT / "pyproject.toml"))
    generated = tomllib.loads((GENERATED / "pyproject.toml").read_text())["project"]
    for pin in lowest_pins(generated["dependencies"]):
        assert pin in ours
