"""Loading data files for the stand-in: the sample index and every error message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cf_vectorize.server import (
    DataFileError,
    load_index,
    load_sample_index,
    parse_index_lines,
    parse_index_rows,
)


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "vectors.ndjson"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _vector(vector_id: str = "a", dims: int = 3, **extra: object) -> str:
    return json.dumps({"id": vector_id, "values": [0.5] * dims, **extra})


def _problems(tmp_path: Path, *lines: str) -> tuple[str, list[str]]:
    path = _write(tmp_path, *lines)
    with pytest.raises(DataFileError) as caught:
        load_index("idx", path)
    return str(path), list(caught.value.problems)


def test_the_sample_index_has_vectors_metadata_and_namespaces() -> None:
    index = load_sample_index()
    assert index.name == "sample"
    assert index.dimensions == 8
    assert 10 <= len(index.vectors) <= 20
    vectors = list(index.vectors.values())
    assert all(len(v["values"]) == 8 for v in vectors)
    assert any("namespace" in v for v in vectors)
    assert any("namespace" not in v for v in vectors)
    assert any("metadata" in v for v in vectors)


def test_a_good_file_loads_with_optional_fields_and_blank_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _vector("a", metadata={"k": 1}, namespace="ns"),
        "",
        "   ",
        _vector("b", namespace=None),
        _vector("c" * 64),
    )
    index = load_index("my-index", path)
    assert (index.name, index.dimensions) == ("my-index", 3)
    assert list(index.vectors) == ["a", "b", "c" * 64]
    assert index.vectors["a"] == {
        "id": "a",
        "values": [0.5] * 3,
        "metadata": {"k": 1},
        "namespace": "ns",
    }
    assert index.vectors["b"] == {"id": "b", "values": [0.5] * 3}


def test_huge_finite_values_are_accepted(tmp_path: Path) -> None:
    # Their sum overflows; each value is still a finite float.
    index = load_index("idx", _write(tmp_path, '{"id": "a", "values": [1e308, 1e308, 1]}'))
    assert index.vectors["a"]["values"] == [1e308, 1e308, 1]


def test_an_empty_file_is_an_empty_index(tmp_path: Path) -> None:
    index = load_index("empty", _write(tmp_path))
    assert (index.dimensions, dict(index.vectors)) == (None, {})


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "a", "values": [1, 2', "invalid JSON: Expecting ',' delimiter (column 28)"),
        ("[1, 2, 3]", "expected a JSON object, got array"),
        ('"a"', "expected a JSON object, got string"),
        ('{"values": [1, 2, 3]}', "missing id"),
        ('{"id": 7, "values": [1, 2, 3]}', "id must be a string, got number"),
        ('{"id": "", "values": [1, 2, 3]}', "id is empty"),
        (_vector("é" * 33), f"id {'é' * 20!r}... is 66 bytes; at most 64"),
        ('{"id": "a"}', "missing values"),
        ('{"id": "a", "values": "1,2,3"}', "values must be an array of numbers, got string"),
        ('{"id": "a", "values": []}', "values is empty"),
        ('{"id": "a", "values": [1, "2", 3]}', 'values[1] is not a number: "2"'),
        ('{"id": "a", "values": [1, true, 3]}', "values[1] is not a number: true"),
        ('{"id": "a", "values": [1, null, 3]}', "values[1] is not a number: null"),
        ('{"id": "a", "values": [NaN, 1, 2]}', "values[0] is not a finite number: nan"),
        ('{"id": "a", "values": [1, -Infinity, 2]}', "values[1] is not a finite number: -inf"),
        (_vector(dims=1537), "values has 1537 dimensions; at most 1536"),
        (_vector(metadata=[1]), "metadata must be an object, got array"),
        (_vector(metadata="x"), "metadata must be an object, got string"),
        (_vector(metadata={"k": "x" * 10240}), "metadata is 10248 bytes; at most 10240"),
        (_vector(namespace=3), "namespace must be a string, got number"),
        (_vector(namespace="n" * 65), "namespace is 65 bytes; at most 64"),
        (_vector(vector="x"), "unknown field 'vector' (expected id, values, metadata, namespace)"),
    ],
)
def test_each_bad_line_is_reported_with_file_and_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    path, problems = _problems(tmp_path, _vector("first"), line)
    assert problems == [f"{path}:2: {problem}"]


def test_a_wrong_dimension_count_names_the_line_that_set_it(tmp_path: Path) -> None:
    path, problems = _problems(tmp_path, "", _vector("a", dims=3), _vector("b", dims=4))
    assert problems == [
        f"{path}:3: vector 'b' has 4 values; the index has 3 dimensions (set by line 2)"
    ]


def test_a_duplicate_id_names_its_first_line(tmp_path: Path) -> None:
    path, problems = _problems(tmp_path, _vector("a"), _vector("b"), _vector("a", namespace="n"))
    assert problems == [f"{path}:3: duplicate id 'a' (first on line 1)"]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path, problems = _problems(tmp_path, "{", _vector("a"), '{"id": 1, "values": []}', _vector("a"))
    assert problems == [
        f"{path}:1: invalid JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{path}:3: id must be a string, got number",
        f"{path}:3: values is empty",
        f"{path}:4: duplicate id 'a' (first on line 2)",
    ]


def test_a_long_list_of_problems_is_cut_in_the_message(tmp_path: Path) -> None:
    _, problems = _problems(tmp_path, *["{"] * 25)
    assert len(problems) == 25
    error = DataFileError(problems)
    lines = str(error).splitlines()
    assert lines[:20] == problems[:20]
    assert lines[20:] == ["... and 5 more problems"]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "absent.ndjson"
    with pytest.raises(DataFileError, match=f"^{path}: cannot read: .*No such file"):
        load_index("idx", path)


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ndjson"
    path.write_bytes(b'{"id": "a", "values": [1]}\n{"id": "caf\xe9", "values": [1]}\n')
    with pytest.raises(DataFileError) as caught:
        load_index("idx", path)
    assert caught.value.problems == (f"{path}:2: not UTF-8: invalid continuation byte at byte 12",)


@pytest.mark.parametrize(
    "name", ["Upper", "1starts-with-digit", "ends-with-dash-", "a", "has space", "x" * 65]
)
def test_an_invalid_index_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(DataFileError, match="index name"):
        load_index(name, _write(tmp_path, _vector()))


def test_parse_index_lines_names_the_source_given() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_index_lines("idx", "inline", ["{}"])
    assert caught.value.problems == ("inline:1: missing id", "inline:1: missing values")


def test_get_by_ids_answers_in_file_order_each_once(tmp_path: Path) -> None:
    index = load_index("idx", _write(tmp_path, *(_vector(f"v{n}") for n in range(50))))
    found = index.get_by_ids(["v40", "nope", "v3", "v40", "v12"])
    assert [v["id"] for v in found] == ["v3", "v12", "v40"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            '{"id": "\\ud800", "values": [1]}',
            "id '\\ud800' is not valid Unicode (a lone surrogate)",
        ),
        (
            '{"id": "a", "values": [1], "namespace": "n\\udfff"}',
            "namespace 'n\\udfff' is not valid Unicode (a lone surrogate)",
        ),
        (
            '{"id": "a", "values": [1], "metadata": {"x": NaN}}',
            "metadata holds NaN or an infinity, which JSON answers cannot carry",
        ),
        (
            '{"id": "a", "values": ' + "[" * 5000 + "]" * 5000 + "}",
            "invalid JSON: nested too deeply",
        ),
        (
            '{"id": "a", "values": [1' + "0" * 400 + "]}",
            "values[0] is beyond the range of a double: 10000000000000000000...",
        ),
        ('{"id": "a", "values": [1' + "0" * 5000 + "]}", "invalid JSON: Exceeds the limit"),
    ],
)
def test_lines_that_crashed_the_loader_are_reported(
    tmp_path: Path, line: str, problem: str
) -> None:
    path, problems = _problems(tmp_path, line)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: {problem}")


def test_values_are_served_exactly_as_the_file_writes_them(tmp_path: Path) -> None:
    """Integers stay integers, -0.0 keeps its sign, 17 digits and extreme exponents survive."""
    values = [1, -0.0, 0.1, 0.30000000000000004, 5e-324, 1.7976931348623157e308, -7, 2**70]
    text = json.dumps({"id": "a", "values": values, "metadata": {"t": "é\U0001f600", "n": 2**80}})
    index = load_index("idx", _write(tmp_path, text))
    (record,) = index.records(["a"])
    assert json.dumps(json.loads(record)) == text  # the same numbers, written the same way
    assert [type(v) for v in json.loads(record)["values"]] == [type(v) for v in values]


def test_an_index_is_a_read_only_mapping_in_file_order(tmp_path: Path) -> None:
    ids = [f"id-{n}" for n in range(300)][::-1]  # enough to grow the id table several times
    index = load_index("idx", _write(tmp_path, *(_vector(i) for i in ids)))
    assert len(index) == len(index.vectors) == 300
    assert list(index.ids()) == list(index.vectors) == ids
    assert "id-7" in index and "id-7" in index.vectors and "nope" not in index
    assert index.get("nope") is None
    with pytest.raises(KeyError):
        index.vectors["nope"]
    assert index.records(["id-3", "id-299", "nope", "id-3"]) == [
        json.dumps(index.vectors[i], separators=(",", ":")).encode() for i in ("id-299", "id-3")
    ]
    assert repr(index) == "Index(name='idx', dimensions=3, vectors=300)"


def test_a_big_file_keeps_only_the_first_problems(tmp_path: Path) -> None:
    _, problems = _problems(tmp_path, *["{"] * 1500)
    assert len(problems) == 1000
    with pytest.raises(DataFileError, match=r"\.\.\. and 1480 more problems$"):
        load_index("idx", _write(tmp_path, *["{"] * 1500))


def test_rows_from_python_are_checked_as_lines_are() -> None:
    index = parse_index_rows("rows", [{"id": "a", "values": (1, 2)}, {"id": "b", "values": [3, 4]}])
    assert index.vectors["a"] == {"id": "a", "values": [1, 2]}
    with pytest.raises(DataFileError) as caught:
        parse_index_rows(
            "rows",
            [{"id": "a", "values": [1]}, {"id": "a", "values": [2]}, {"id": "c", "values": {1}}],
        )
    assert caught.value.problems == (
        "vectors[1]: duplicate id 'a' (first on vectors[0])",
        "vectors[2]: cannot be written as JSON: Object of type set is not JSON serializable",
    )
    with pytest.raises(DataFileError, match="expected a list of dicts, got dict"):
        parse_index_rows("rows", {"id": "a", "values": [1]})
