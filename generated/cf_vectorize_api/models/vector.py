from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Vector")

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
class Vector:
    """A vector stored in the index.

    Attributes:
        id (str): Identifier for a vector (at most 64 bytes). Example: some-vector-id-023e105f4ecef8ad9ca31a8372d0c353.
        values (list[float]): The vector's components (float32, at most 1536).
        metadata (dict[str, Any] | None): Free-form metadata (at most 10 KiB per vector).
        namespace (str | None): Present only when the vector was written to a namespace.
    """

    id: str
    values: list[float]
    metadata: dict[str, Any] | None = None
    namespace: str | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
    # Nullable properties the API sent as null rather than leaving out: to_dict() writes them back.
    _null_keys: frozenset[str] = _attrs_field(init=False, default=frozenset(), eq=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: absent optional properties left out (lists, dicts shared)."""
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["id"] = self.id
        field_dict["values"] = self.values
        if self.metadata is not None:
            field_dict["metadata"] = self.metadata
        if self.namespace is not None:
            field_dict["namespace"] = self.namespace
        elif "namespace" in self._null_keys:
            field_dict["namespace"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        values = cast("list[float]", d.pop("values"))

        metadata: dict[str, Any] | None = None
        if d.get("metadata") is not None:
            metadata = d.pop("metadata")
            if not isinstance(metadata, dict):
                raise TypeError(f"metadata must be a JSON object, got {type(metadata).__name__}")
        else:
            d.pop("metadata", None)

        namespace = d.pop("namespace", None)

        vector = cls(
            id=id,
            values=values,
            metadata=metadata,
            namespace=namespace,
        )
        if namespace is None and "namespace" in src_dict:
            vector._null_keys = vector._null_keys | {"namespace"}
        vector.additional_properties = d
        return vector

    def __repr__(self) -> str:
        return self._short_repr(0)

    def _short_repr(self, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return f"{type(self).__name__}(...)"
        depth += 1
        fields = [
            f"id={_short(self.id, depth)}",
            f"values={_short(self.values, depth)}",
            f"metadata={_short(self.metadata, depth)}",
            f"namespace={_short(self.namespace, depth)}",
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
