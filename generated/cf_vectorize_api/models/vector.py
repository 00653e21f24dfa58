from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.vector_metadata import VectorMetadata


T = TypeVar("T", bound="Vector")


@_attrs_define
class Vector:
    """A vector stored in the index.

    Attributes:
        id (str): Identifier for a vector (at most 64 bytes). Example: some-vector-id-023e105f4ecef8ad9ca31a8372d0c353.
        values (list[float]): The vector's components (float32, at most 1536).
        metadata (VectorMetadata | Unset): Free-form metadata (at most 10 KiB per vector).
        namespace (None | str | Unset): Present only when the vector was written to a namespace.
    """

    id: str
    values: list[float]
    metadata: VectorMetadata | Unset = UNSET
    namespace: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        values = self.values

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        namespace: None | str | Unset
        if isinstance(self.namespace, Unset):
            namespace = UNSET
        else:
            namespace = self.namespace

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "values": values,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if namespace is not UNSET:
            field_dict["namespace"] = namespace

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.vector_metadata import VectorMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        values = cast(list[float], d.pop("values"))

        _metadata = d.pop("metadata", UNSET)
        metadata: VectorMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = VectorMetadata.from_dict(_metadata)

        def _parse_namespace(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        namespace = _parse_namespace(d.pop("namespace", UNSET))

        vector = cls(
            id=id,
            values=values,
            metadata=metadata,
            namespace=namespace,
        )

        vector.additional_properties = d
        return vector

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
