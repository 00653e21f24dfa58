"""Every input check fails before anything is sent, with our own typed error."""

from __future__ import annotations

from typing import Any

import pytest

from cf_vectorize import (
    ApiToken,
    InvalidInputError,
    InvalidInputTypeError,
    Vectorize,
    VectorizeError,
)
from tests.clientkit import Runner, Server, found, refuse


@pytest.mark.parametrize(
    ("index", "message"),
    [
        ("", "does not match"),
        ("a", "does not match"),
        ("My-Index", "does not match"),
        ("1index", "does not match"),
        ("index-", "does not match"),
        ("in dex", "does not match"),
        ("índex", "does not match"),
        ("a" * 65, "index_name has 65 bytes; at most 64"),
    ],
)
def test_bad_index_names(runner: Runner, index: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        runner.get(refuse, index, ["a"])


def test_longest_index_name_is_accepted(runner: Runner) -> None:
    server = Server([found()])
    assert len(runner.get(server, "a" * 64, ["x"])) == 1


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        ("abc", InvalidInputTypeError, "not a single str"),
        (b"abc", InvalidInputTypeError, "not a single bytes"),
        (42, InvalidInputTypeError, "must be an iterable of str, not int"),
        (["ok", 7], InvalidInputTypeError, r"ids\[1\] must be a str, not int"),
        (["ok", None], InvalidInputTypeError, r"ids\[1\] must be a str, not NoneType"),
        (["ok", ""], InvalidInputError, r"ids\[1\] is empty"),
        (["x" * 65], InvalidInputError, r"ids\[0\] has 65 bytes in UTF-8; at most 64"),
        (["é" * 33], InvalidInputError, r"ids\[0\] has 66 bytes in UTF-8; at most 64"),
        (["\ud800"], InvalidInputError, r"ids\[0\] is not valid Unicode text"),
    ],
)
def test_bad_ids(runner: Runner, ids: Any, error: type[VectorizeError], message: str) -> None:
    with pytest.raises(error, match=message):
        runner.get(refuse, "my-index", ids)


def test_a_bad_id_late_in_a_long_list_stops_everything(runner: Runner) -> None:
    ids = [f"id-{n}" for n in range(100)] + [""]
    with pytest.raises(InvalidInputError, match=r"ids\[100\] is empty"):
        runner.get(refuse, "my-index", ids)


def test_id_of_exactly_64_bytes_is_accepted(runner: Runner) -> None:
    server = Server([found()])
    assert [v.id for v in runner.get(server, "my-index", ["é" * 32])] == ["é" * 32]


def test_no_ids_sends_nothing(runner: Runner) -> None:
    result = runner.get(refuse, "my-index", [])
    assert result == [] and result.missing_ids == ()


def test_errors_are_value_and_type_errors() -> None:
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(InvalidInputTypeError, TypeError)


@pytest.mark.parametrize(
    ("account", "error", "message"),
    [
        ("", InvalidInputError, "account_id is empty"),
        ("a" * 33, InvalidInputError, "at most 32"),
        (123, InvalidInputTypeError, "account_id must be a str, not int"),
    ],
)
def test_bad_account_ids(account: Any, error: type[VectorizeError], message: str) -> None:
    with pytest.raises(error, match=message):
        Vectorize(account_id=account, auth=ApiToken("t"))
