"""templates/model.py.jinja keeps Unset out for the property kinds a spec may grow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import generate as generate_script
from scripts._paths import SPEC

NEW_PROPERTIES: dict[str, Any] = {
    "created_on": {"type": "string", "format": "date-time"},
    "day": {"type": "string", "format": "date"},
    "kind": {"type": "string", "enum": ["dense", "sparse"]},
    "score": {"type": ["number", "null"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "source": {"$ref": "#/components/schemas/ResponseInfoSource"},
    "history": {"type": "array", "items": {"$ref": "#/components/schemas/ResponseInfoSource"}},
}

PROBE = textwrap.dedent(
    """
    import json
    from cf_vectorize_api.models import Vector

    full = {"id": "a", "values": [0.5], "created_on": "2026-11-25T10:00:00+00:00",
            "day": "2026-11-25", "kind": "dense", "score": None, "tags": ["x"],
            "source": {"pointer": "/p"}, "history": [{"pointer": "/h"}]}
    vector = Vector.from_dict(full)
    bare = Vector.from_dict({"id": "b", "values": [1.0]})
    print(json.dumps({
        "round_trip": vector.to_dict() == full,
        "types": [type(vector.created_on).__name__, type(vector.day).__name__,
                  type(vector.kind).__name__, type(vector.source).__name__],
        "absent": [getattr(bare, name) for name in
                   ("created_on", "day", "kind", "score", "tags", "source", "history")],
        "bare": bare.to_dict(),
        "repr": repr(bare),
    }))
    """
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    spec["components"]["schemas"]["Vector"]["properties"].update(NEW_PROPERTIES)
    folder = tmp_path_factory.mktemp("kinds")
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    patch = pytest.MonkeyPatch()
    patch.setattr(generate_script, "SPEC", path)
    try:
        generate_script.generate(folder / "generated")
    finally:
        patch.undo()
    return folder / "generated"


def test_new_kinds_are_optional_none_without_unset(generated: Path) -> None:
    model = (generated / "cf_vectorize_api" / "models" / "vector.py").read_text()
    assert "Unset" not in model
    for line in (
        "created_on: datetime.datetime | None = None",
        "day: datetime.date | None = None",
        "kind: VectorKind | None = None",
        "score: float | None = None",
        "tags: list[str] | None = None",
        "source: ResponseInfoSource | None = None",
        "history: list[ResponseInfoSource] | None = None",
    ):
        assert line in model


def test_new_kinds_read_and_write_the_json_object(generated: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(generated)}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["round_trip"] is True  # a null sent for the nullable score is written back
    assert seen["types"] == ["datetime", "date", "VectorKind", "ResponseInfoSource"]
    assert seen["absent"] == [None] * 7
    assert seen["bare"] == {"id": "b", "values": [1.0]}
    assert "Unset" not in seen["repr"] and "created_on=None" in seen["repr"]
