from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GetVectorsByIdRequest")

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
class GetVectorsByIdRequest:
    """
    Attributes:
        ids (list[str]): A list of vector identifiers to retrieve from the index indicated by the path. At most 20 per
            call. Example: ['5121db81354a40c6aedc3fe1ace51c59', 'f90eb49c2107486abdfd78c67e853430'].
    """

    ids: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: absent optional properties left out (lists, dicts shared)."""
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["ids"] = self.ids
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ids = cast("list[str]", d.pop("ids"))

        get_vectors_by_id_request = cls(
            ids=ids,
        )
        get_vectors_by_id_request.additional_properties = d
        return get_vectors_by_id_request

    def __repr__(self) -> str:
        return self._short_repr(0)

    def _short_repr(self, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return f"{type(self).__name__}(...)"
        depth += 1
        fields = [
            f"ids={_short(self.ids, depth)}",
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
