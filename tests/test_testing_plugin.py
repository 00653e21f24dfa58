"""The pytest plugin cf_vectorize.testing: registration, fixtures, options and isolation.

tests/plugin_example/ is the README's example test file, collected by this suite as any
user's would be (and run against the built wheel by `make dist`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from cf_vectorize import PermissionDeniedError
from cf_vectorize.testing import DEFAULT_ACCOUNT_ID, VectorizeServer

WAIT = 120  # seconds; a bound on subprocess runs, never an expected duration
EXAMPLE = Path(__file__).parent / "plugin_example" / "test_vectorize_example.py"
README = Path(__file__).parents[1] / "README.md"


def test_the_plugin_is_registered_for_pytest() -> None:
    (entry,) = [e for e in entry_points(group="pytest11") if e.value.startswith("cf_vectorize")]
    assert entry.value == "cf_vectorize.testing"


def test_importing_the_package_does_not_import_pytest() -> None:
    code = (
        "import sys, cf_vectorize, cf_vectorize.server, cf_vectorize.cli; "
        "from cf_vectorize import Vectorize, AsyncVectorize; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=WAIT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_loading_the_plugin_leaves_the_stand_in_unimported_until_used() -> None:
    """pytest loads the plugin in every session wherever the package is installed."""
    code = (
        "import sys, cf_vectorize.testing as t; "
        "print('cf_vectorize.server' in sys.modules); "
        "t.VectorizeServer; print('cf_vectorize.server' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=WAIT, check=True
    )
    assert done.stdout.split() == ["False", "True"]


def test_the_readme_shows_the_example_file_as_it_is() -> None:
    assert EXAMPLE.read_text() in README.read_text()


def test_a_server_for_one_account_refuses_others(
    vectorize_server_factory: Callable[..., VectorizeServer],
) -> None:
    server = vectorize_server_factory(token="fixed-token", account_id="acc-1", sample=False)
    assert (server.token, server.account_id, server.store.indexes) == ("fixed-token", "acc-1", {})
    server.add_index("docs", [{"id": "a", "values": [1.0]}])
    with server.client() as client:
        assert [v.id for v in client.get_by_ids("docs", ["a"])] == ["a"]
    with server.client(account_id="acc-2") as client, pytest.raises(PermissionDeniedError):
        client.get_by_ids("docs", ["a"])


def test_by_default_any_account_is_accepted(vectorize_server: VectorizeServer) -> None:
    assert vectorize_server.account_id == DEFAULT_ACCOUNT_ID
    with vectorize_server.client(account_id="someone-else") as client:
        assert len(client.get_by_ids("sample", ["doc-001"])) == 1


def test_reset_makes_a_shared_server_fresh(vectorize_server: VectorizeServer) -> None:
    vectorize_server.add_index("docs", [{"id": "a", "values": [1.0]}])
    vectorize_server.fail_next(500, code=10001, times=None)
    with vectorize_server.client(max_retries=0) as client, pytest.raises(Exception):  # noqa: B017
        client.get_by_ids("docs", ["a"])
    vectorize_server.reset()
    assert vectorize_server.requests == []
    assert sorted(vectorize_server.store.indexes) == ["sample"]
    with vectorize_server.client(max_retries=0) as client:
        assert len(client.get_by_ids("sample", ["doc-001"])) == 1


def test_no_secret_in_the_servers_repr(vectorize_server: VectorizeServer) -> None:
    assert vectorize_server.token not in repr(vectorize_server)
    assert vectorize_server.base_url in repr(vectorize_server)


def test_the_cli_finds_the_server_through_vectorize_env(vectorize_env: VectorizeServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cf_vectorize", "get-by-ids", "sample", "doc-001"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [v["id"] for v in json.loads(done.stdout)] == ["doc-001"]
    assert vectorize_env.requests[0].index_name == "sample"


def test_vectorize_env_clears_other_credentials_and_restores_everything(tmp_path: Path) -> None:
    """Run in a pytest of its own, with a global API key already in the environment."""
    (tmp_path / "test_env.py").write_text(
        textwrap.dedent(
            """
            import os

            def test_inside(vectorize_env):
                assert os.environ["CLOUDFLARE_BASE_URL"] == vectorize_env.base_url
                assert os.environ["CLOUDFLARE_API_TOKEN"] == vectorize_env.token
                assert os.environ["CLOUDFLARE_ACCOUNT_ID"] == vectorize_env.account_id
                assert "CLOUDFLARE_API_KEY" not in os.environ
                assert "CLOUDFLARE_EMAIL" not in os.environ

            def test_after():
                assert os.environ["CLOUDFLARE_API_KEY"] == "outer-key"
                assert os.environ["CLOUDFLARE_EMAIL"] == "outer@example.com"
                assert os.environ["CLOUDFLARE_BASE_URL"] == "https://outer.example"
                assert "CLOUDFLARE_API_TOKEN" not in os.environ
            """
        )
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLOUDFLARE_") and key != "PYTEST_ADDOPTS"
    }
    env |= {
        "CLOUDFLARE_API_KEY": "outer-key",
        "CLOUDFLARE_EMAIL": "outer@example.com",
        "CLOUDFLARE_BASE_URL": "https://outer.example",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
