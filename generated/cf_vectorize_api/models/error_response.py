from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ErrorResponse")

_EDGE_ITEMS = 3  # items shown at each end of a long list, as numpy does
_MAX_KEYS = 8  # keys shown of an object
_MAX_CHARS = 200  # characters shown of a string
_MAX_DEPTH = 4  # levels of nesting shown


def _short(value: object, depth: int = 0) -> str:
    """Return repr(value), long lists, objects and strings shortened (their size said)."""
    if isinstance(value, list):
        if depth >= _MAX_DEPTH and value:
            return f"[...] ({len(value)} {'item' if len(value) == 1 else 'items'})"
        if len(value) > 2 * _EDGE_ITEMS:
            ends = [_short(item, depth + 1) for item in (*value[:_EDGE_ITEMS], *value[-_EDGE_ITEMS:])]
            return f"[{', '.join(ends[:_EDGE_ITEMS])}, ..., {', '.join(ends[_EDGE_ITEMS:])}] ({len(value)} items)"
        return f"[{', '.join(_short(item, depth + 1) for item in value)}]"
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH and value:
            return "{...} " + f"({len(value)} {'key' if len(value) == 1 else 'keys'})"
        items = [f"{_short(k, depth + 1)}: {_short(v, depth + 1)}" for k, v in islice(value.items(), _MAX_KEYS)]
        if len(value) > _MAX_KEYS:
            items.append(f"... ({len(value)} keys)")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, str) and len(value) > _MAX_CHARS:
        return f"{value[:_MAX_CHARS]!r}... ({len(value)} characters)"
    short_repr = getattr(value, "_short_repr", None)  # a generated model: depth carried on
    if short_repr is not None:
        return cast(str, short_repr(depth))
    return repr(value)


@_attrs_define(repr=False)
class ErrorResponse:
    """The failure envelope.

    Attributes:
        success (Literal[False]): Whether the API call was successful (always false here).
        errors (list[ResponseInfo]):
        messages (list[ResponseInfo]):
        result (None):
    """

    success: Literal[False]
    errors: list[ResponseInfo]
    messages: list[ResponseInfo]
    result: None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: absent optional properties left out (lists, dicts shared)."""
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["success"] = self.success
        field_dict["errors"] = [item.to_dict() for item in self.errors]
        field_dict["messages"] = [item.to_dict() for item in self.messages]
        field_dict["result"] = self.result
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        success = cast("Literal[False]", d.pop("success"))
        if success != False:
            raise ValueError(f"success must match const False, got '{success}'")

        errors = []
        for item in d.pop("errors"):  # a loop, not a comprehension: one frame per level of nesting
            errors.append(ResponseInfo.from_dict(item))

        messages = []
        for item in d.pop("messages"):  # a loop, not a comprehension: one frame per level of nesting
            messages.append(ResponseInfo.from_dict(item))

        result = d.pop("result")

        error_response = cls(
            success=success,
            errors=errors,
            messages=messages,
            result=result,
        )
        error_response.additional_properties = d
        return error_response

    def __repr__(self) -> str:
        return self._short_repr(0)

    def _short_repr(self, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return f"{type(self).__name__}(...)"
        depth += 1
        fields = [
            f"success={_short(self.success, depth)}",
            f"errors={_short(self.errors, depth)}",
            f"messages={_short(self.messages, depth)}",
            f"result={_short(self.result, depth)}",
        ]
        if self.additional_properties:
            fields.append(f"additional_properties={_short(self.additional_properties, depth)}")
        return f"{type(self).__name__}({', '.join(fields)})"

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Models this one reads, imported at the end: models may refer to each other, and by now this
# one's class exists for them. Not inside from_dict, where a relative import would run
# importlib's Python code with every object read.
from ..models.response_info import ResponseInfo  # noqa: E402
