"""src/ reaches into no other package's private parts (httpx, httpcore, the generated client).

An attribute whose name starts with one underscore, read on anything but self or cls, must
be one that src/ itself defines; so must a private name passed to getattr/setattr/hasattr.
Private modules of other packages (`httpx._types`) are not imported either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from scripts._paths import ROOT

SRC = ROOT / "src" / "cf_vectorize"
# Standard-library names that exist only under a private name (type annotations).
ALLOWED = {"argparse._SubParsersAction"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _trees(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def own_private_names(folder: Path) -> set[str]:
    """Private names defined here: functions, classes, names, attributes of self or cls."""
    names: set[str] = set()
    for _, tree in _trees(folder):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[-1])
    return {name for name in names if _private(name)}


def foreign_private_uses(folder: Path) -> list[str]:
    own = own_private_names(folder)
    found = []
    for path, tree in _trees(folder):
        where = path.relative_to(folder)
        for node in ast.walk(tree):
            used = None
            if isinstance(node, ast.Attribute) and _private(node.attr):
                if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                    used = node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
            ):
                used = node.args[1].value
            elif (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and any(_private(part) for part in (node.module or "").split("."))
            ):
                found.append(f"{where}:{node.lineno}: from {node.module} import")
            if used is not None and used not in own and ast.unparse(node) not in ALLOWED:
                found.append(f"{where}:{getattr(node, 'lineno', 0)}: {ast.unparse(node)}")
    return found


def test_src_uses_no_private_name_of_another_package() -> None:
    assert foreign_private_uses(SRC) == []


def test_the_check_finds_what_the_old_deadline_code_did(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "import httpx\n"
        "from httpx._types import CertTypes\n"
        "from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id as op\n"
        "def f(client: httpx.Client) -> None:\n"
        "    pool = client._transport._pool\n"
        "    mounts = getattr(client, '_mounts', {})\n"
        "    pool._network_backend = None\n"
        "    op._get_kwargs('a', 'b')\n"
        "class Own:\n"
        "    def __init__(self) -> None:\n"
        "        self._mine = 1\n"
        "    def same(self, other: 'Own') -> int:\n"
        "        return other._mine\n"
    )
    found = "\n".join(foreign_private_uses(tmp_path))
    for name in ("httpx._types", "client._transport", "'_mounts'", "pool._network_backend"):
        assert name in found
    assert "op._get_kwargs" in found
    assert "other._mine" not in found  # defined by the code itself
