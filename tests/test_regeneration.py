"""A spec change reaches users through the wrapper with no hand edits (docs/regenerating.md).

The test follows the guide's example on a copy of the project's spec: add an optional
field to Vector, regenerate into a temporary folder, and read the field through
`Vectorize.get_by_ids` in a fresh interpreter that imports the new generated package.
"""

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
from scripts._paths import ROOT, SPEC

PROBE = textwrap.dedent(
    """
    import json, httpx, cf_vectorize_api
    from cf_vectorize import ApiToken, Vectorize

    body = {"success": True, "errors": [], "messages": [], "result": [
        {"id": "a", "values": [0.5], "created_on": "2026-11-25T10:00:00Z"}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with Vectorize(account_id="acc", auth=ApiToken("t"), transport=transport, pacing=None) as c:
        (vector,) = c.get_by_ids("my-index", ["a"])
    print(json.dumps({"package": cf_vectorize_api.__file__, "created_on": vector.created_on,
                      "extra": vector.additional_properties}))
    """
)


def spec_with_created_on() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    spec["components"]["schemas"]["Vector"]["properties"]["created_on"] = {
        "description": "When the vector was written (an example field for the guide).",
        "type": "string",
    }
    return spec


def test_new_optional_field_reaches_users_without_hand_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(spec_with_created_on(), sort_keys=False))
    monkeypatch.setattr(generate_script, "SPEC", spec)
    output = tmp_path / "generated"
    generate_script.generate(output)
    model = (output / "cf_vectorize_api" / "models" / "vector.py").read_text()
    assert "created_on: str | None = None" in model

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(output), str(ROOT / "src")])}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["package"].startswith(str(output))
    assert seen["created_on"] == "2026-11-25T10:00:00Z"
    assert seen["extra"] == {}  # a typed attribute now, no longer an unknown key


def test_without_the_field_it_is_only_an_additional_property(tmp_path: Path) -> None:
    """The control: today's generated package keeps an unknown field, untyped."""
    probe = PROBE.replace("vector.created_on", "None")
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["extra"] == {"created_on": "2026-11-25T10:00:00Z"}
