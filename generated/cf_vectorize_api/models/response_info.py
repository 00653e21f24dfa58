from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ResponseInfo")

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
class ResponseInfo:
    """An error or message item of Cloudflare's response envelope.

    Attributes:
        code (int):
        message (str):
        documentation_url (str | None):
        source (ResponseInfoSource | None):
        error_chain (list[ResponseInfo] | None): Nested causes, items of the same shape.
    """

    code: int
    message: str
    documentation_url: str | None = None
    source: ResponseInfoSource | None = None
    error_chain: list[ResponseInfo] | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: absent optional properties left out (lists, dicts shared)."""
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["code"] = self.code
        field_dict["message"] = self.message
        if self.documentation_url is not None:
            field_dict["documentation_url"] = self.documentation_url
        if self.source is not None:
            field_dict["source"] = self.source.to_dict()
        if self.error_chain is not None:
            field_dict["error_chain"] = [item.to_dict() for item in self.error_chain]
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        documentation_url = d.pop("documentation_url", None)

        source: ResponseInfoSource | None = None
        if d.get("source") is not None:
            source = ResponseInfoSource.from_dict(d.pop("source"))
        else:
            d.pop("source", None)

        error_chain: list[ResponseInfo] | None = None
        if d.get("error_chain") is not None:
            error_chain = []
            for item in d.pop("error_chain"):  # a loop, not a comprehension: one frame per level of nesting
                error_chain.append(ResponseInfo.from_dict(item))
        else:
            d.pop("error_chain", None)

        response_info = cls(
            code=code,
            message=message,
            documentation_url=documentation_url,
            source=source,
            error_chain=error_chain,
        )
        response_info.additional_properties = d
        return response_info

    def __repr__(self) -> str:
        return self._short_repr(0)

    def _short_repr(self, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return f"{type(self).__name__}(...)"
        depth += 1
        fields = [
            f"code={_short(self.code, depth)}",
            f"message={_short(self.message, depth)}",
            f"documentation_url={_short(self.documentation_url, depth)}",
            f"source={_short(self.source, depth)}",
            f"error_chain={_short(self.error_chain, depth)}",
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
from ..models.response_info_source import ResponseInfoSource  # noqa: E402
