"""What `import cf_vectorize` shows: its docstring and `dir()` (import cost: test_fast_decode)."""

from __future__ import annotations

import ast
import textwrap

import cf_vectorize

PUBLIC = set(cf_vectorize.__all__)


def test_dir_lists_the_public_names_and_dunders_only() -> None:
    shown = set(dir(cf_vectorize))
    assert shown >= PUBLIC
    extra = {name for name in shown - PUBLIC if not name.startswith("__")}
    assert extra == set(), extra  # no TYPE_CHECKING, importlib or private modules
    assert "TYPE_CHECKING" not in vars(cf_vectorize) and "importlib" not in vars(cf_vectorize)


def test_every_public_name_resolves() -> None:
    for name in PUBLIC:
        assert getattr(cf_vectorize, name) is not None


def test_the_docstring_example_is_an_indented_block_of_valid_python() -> None:
    doc = cf_vectorize.__doc__ or ""
    _, _, after = doc.partition("::\n\n")
    block = after.split("\n\n`")[0]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) >= 4
    assert all(line.startswith("    ") for line in lines), block
    code = textwrap.dedent(block)
    ast.parse(code)
    assert "with Vectorize(" in code and "    vectors = client.get_by_ids(" in code
