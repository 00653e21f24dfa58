from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.vector_list_item import VectorListItem


T = TypeVar("T", bound="ListVectorsResult")


@_attrs_define
class ListVectorsResult:
    """One page of vector identifiers.

    Attributes:
        count (int): Number of vectors returned in this response. Example: 100.
        total_count (int): Total number of vectors in the index. Example: 500.
        is_truncated (bool): Whether there are more vectors available beyond this response.
        vectors (list[VectorListItem]): The identifiers of this page.
        next_cursor (None | str | Unset): Cursor for the next page of results; null (or absent) on the last page.
            Example: suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.
        cursor_expiration_timestamp (datetime.datetime | None | Unset): When `nextCursor` expires, as an RFC 3339
            timestamp (Cloudflare sends up to nine fractional digits); null (or absent) on the last page. Example:
            2025-08-12T20:32:52.469144957+00:00.
    """

    count: int
    total_count: int
    is_truncated: bool
    vectors: list[VectorListItem]
    next_cursor: None | str | Unset = UNSET
    cursor_expiration_timestamp: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        total_count = self.total_count

        is_truncated = self.is_truncated

        vectors = []
        for vectors_item_data in self.vectors:
            vectors_item = vectors_item_data.to_dict()
            vectors.append(vectors_item)

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor

        cursor_expiration_timestamp: None | str | Unset
        if isinstance(self.cursor_expiration_timestamp, Unset):
            cursor_expiration_timestamp = UNSET
        elif isinstance(self.cursor_expiration_timestamp, datetime.datetime):
            cursor_expiration_timestamp = self.cursor_expiration_timestamp.isoformat()
        else:
            cursor_expiration_timestamp = self.cursor_expiration_timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "totalCount": total_count,
                "isTruncated": is_truncated,
                "vectors": vectors,
            }
        )
        if next_cursor is not UNSET:
            field_dict["nextCursor"] = next_cursor
        if cursor_expiration_timestamp is not UNSET:
            field_dict["cursorExpirationTimestamp"] = cursor_expiration_timestamp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.vector_list_item import VectorListItem  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count")

        total_count = d.pop("totalCount")

        is_truncated = d.pop("isTruncated")

        vectors = []
        _vectors = d.pop("vectors")
        for vectors_item_data in _vectors:
            vectors_item = VectorListItem.from_dict(vectors_item_data)

            vectors.append(vectors_item)

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("nextCursor", UNSET))

        def _parse_cursor_expiration_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cursor_expiration_timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return cursor_expiration_timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        cursor_expiration_timestamp = _parse_cursor_expiration_timestamp(d.pop("cursorExpirationTimestamp", UNSET))

        list_vectors_result = cls(
            count=count,
            total_count=total_count,
            is_truncated=is_truncated,
            vectors=vectors,
            next_cursor=next_cursor,
            cursor_expiration_timestamp=cursor_expiration_timestamp,
        )

        list_vectors_result.additional_properties = d
        return list_vectors_result

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
