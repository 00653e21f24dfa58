"""The `fast` extra: orjson decodes answers, and json keeps the last word."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import orjson
import pytest

import cf_vectorize
from cf_vectorize import APIResponseValidationError, _response

JSON = httpx.Headers({"content-type": "application/json"})


@pytest.fixture
def without_orjson(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make `import orjson` fail, as where the extra is not installed."""
    monkeypatch.setitem(sys.modules, "orjson", None)
    _response._fast_loads.cache_clear()
    yield
    _response._fast_loads.cache_clear()


def test_orjson_is_used_when_installed() -> None:
    _response._fast_loads.cache_clear()
    assert _response._fast_loads() is orjson.loads


@pytest.mark.usefixtures("without_orjson")
def test_json_is_used_without_the_extra() -> None:
    assert _response._fast_loads() is None
    body = b'{"success":true,"errors":[],"messages":[],"result":[{"id":"a","values":[1.5]}]}'
    [vector] = _response.vectors_from(200, JSON, body, ["a"])
    assert (vector.id, vector.values) == ("a", [1.5])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": [1.5, 2]}', {"a": [1.5, 2]}),
        # orjson refuses these; json accepts them, and so must we whatever is installed.
        (b'{"a": NaN}', "nan"),
        (b'{"a": "\\ud800"}', {"a": "\ud800"}),
    ],
)
def test_the_result_does_not_depend_on_the_extra(body: bytes, expected: object) -> None:
    decoded = _response._decode(body)
    if expected == "nan":
        assert decoded["a"] != decoded["a"]
    else:
        assert decoded == expected


def test_invalid_json_is_worded_by_json() -> None:
    body = b'{"success": true, "result": [}'
    with pytest.raises(APIResponseValidationError, match="Expecting value"):
        _response.vectors_from(200, JSON, body, ["a"])


def test_import_leaves_the_generated_models_and_asyncio_for_later() -> None:
    """`import cf_vectorize` must stay cheap: checked in a fresh interpreter."""
    code = (
        "import sys, cf_vectorize; "
        "print(sorted(m for m in ('asyncio', 'attrs', 'cf_vectorize_api', 'httpcore', 'orjson') "
        "if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert output.strip() == "[]"
    assert cf_vectorize.AsyncVectorize.__name__ == "AsyncVectorize"
    assert cf_vectorize.Vector.__name__ == "Vector"
    assert {"AsyncVectorize", "Vector"} <= set(dir(cf_vectorize))
    with pytest.raises(AttributeError, match="no_such_name"):
        cf_vectorize.no_such_name  # noqa: B018
