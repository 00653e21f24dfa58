"""generated/ is exactly what openapi.yaml produces, and the generator is deterministic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts._paths import GENERATED
from scripts.check_generated import differences
from scripts.generate import generate


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("fresh") / "generated"
    generate(output)
    return output


def test_committed_client_is_what_the_spec_produces(fresh: Path) -> None:
    assert differences(GENERATED, fresh) == []


def test_generation_is_deterministic(fresh: Path, tmp_path: Path) -> None:
    again = tmp_path / "generated"
    generate(again)
    assert differences(fresh, again) == []


def test_drift_check_sees_added_removed_and_changed_files(fresh: Path, tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    (committed / "cf_vectorize_api" / "extra.py").write_text("x = 1\n")
    (committed / "cf_vectorize_api" / "types.py").unlink()
    client = committed / "cf_vectorize_api" / "client.py"
    client.write_text(client.read_text() + "# hand edit\n")
    assert differences(committed, fresh) == [
        "missing (spec produces it): cf_vectorize_api/types.py",
        "stale (spec no longer produces it): cf_vectorize_api/extra.py",
        "changed: cf_vectorize_api/client.py",
    ]


def test_drift_check_ignores_tool_caches(fresh: Path, tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    (committed / "cf_vectorize_api" / "__pycache__").mkdir()
    (committed / "cf_vectorize_api" / "__pycache__" / "client.cpython-311.pyc").write_bytes(b"")
    assert differences(committed, fresh) == []
