from __future__ import annotations

import datetime
from collections.abc import Mapping
from itertools import islice
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ListVectorsResult")

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
class ListVectorsResult:
    """One page of vector identifiers.

    Attributes:
        count (int): Number of vectors returned in this response. Example: 100.
        total_count (int): Total number of vectors in the index. Example: 500.
        is_truncated (bool): Whether there are more vectors available beyond this response.
        vectors (list[VectorListItem]): The identifiers of this page.
        next_cursor (str | None): Cursor for the next page of results; null (or absent) on the last page. Example:
            suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.
        cursor_expiration_timestamp (datetime.datetime | None): When `nextCursor` expires, as an RFC 3339 timestamp
            (Cloudflare sends up to nine fractional digits); null (or absent) on the last page. Example:
            2025-08-12T20:32:52.469144957+00:00.
    """

    count: int
    total_count: int
    is_truncated: bool
    vectors: list[VectorListItem]
    next_cursor: str | None = None
    cursor_expiration_timestamp: datetime.datetime | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
    # Nullable properties the API sent as null rather than leaving out: to_dict() writes them back.
    _null_keys: frozenset[str] = _attrs_field(init=False, default=frozenset(), eq=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object: absent optional properties left out (lists, dicts shared)."""
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["count"] = self.count
        field_dict["totalCount"] = self.total_count
        field_dict["isTruncated"] = self.is_truncated
        field_dict["vectors"] = [item.to_dict() for item in self.vectors]
        if self.next_cursor is not None:
            field_dict["nextCursor"] = self.next_cursor
        elif "nextCursor" in self._null_keys:
            field_dict["nextCursor"] = None
        if self.cursor_expiration_timestamp is not None:
            field_dict["cursorExpirationTimestamp"] = self.cursor_expiration_timestamp.isoformat()
        elif "cursorExpirationTimestamp" in self._null_keys:
            field_dict["cursorExpirationTimestamp"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        total_count = d.pop("totalCount")

        is_truncated = d.pop("isTruncated")

        vectors = []
        for item in d.pop("vectors"):  # a loop, not a comprehension: one frame per level of nesting
            vectors.append(VectorListItem.from_dict(item))

        next_cursor = d.pop("nextCursor", None)

        cursor_expiration_timestamp: datetime.datetime | None = None
        if d.get("cursorExpirationTimestamp") is not None:
            cursor_expiration_timestamp = datetime.datetime.fromisoformat(d.pop("cursorExpirationTimestamp"))
        else:
            d.pop("cursorExpirationTimestamp", None)

        list_vectors_result = cls(
            count=count,
            total_count=total_count,
            is_truncated=is_truncated,
            vectors=vectors,
            next_cursor=next_cursor,
            cursor_expiration_timestamp=cursor_expiration_timestamp,
        )
        if next_cursor is None and "nextCursor" in src_dict:
            list_vectors_result._null_keys = list_vectors_result._null_keys | {"nextCursor"}
        if cursor_expiration_timestamp is None and "cursorExpirationTimestamp" in src_dict:
            list_vectors_result._null_keys = list_vectors_result._null_keys | {"cursorExpirationTimestamp"}
        list_vectors_result.additional_properties = d
        return list_vectors_result

    def __repr__(self) -> str:
        return self._short_repr(0)

    def _short_repr(self, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return f"{type(self).__name__}(...)"
        depth += 1
        fields = [
            f"count={_short(self.count, depth)}",
            f"total_count={_short(self.total_count, depth)}",
            f"is_truncated={_short(self.is_truncated, depth)}",
            f"vectors={_short(self.vectors, depth)}",
            f"next_cursor={_short(self.next_cursor, depth)}",
            f"cursor_expiration_timestamp={_short(self.cursor_expiration_timestamp, depth)}",
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
from ..models.vector_list_item import VectorListItem  # noqa: E402
