from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.response_info_source import ResponseInfoSource


T = TypeVar("T", bound="ResponseInfo")


@_attrs_define
class ResponseInfo:
    """An error or message item of Cloudflare's response envelope.

    Attributes:
        code (int):
        message (str):
        documentation_url (str | Unset):
        source (ResponseInfoSource | Unset):
        error_chain (list[ResponseInfo] | Unset): Nested causes, items of the same shape.
    """

    code: int
    message: str
    documentation_url: str | Unset = UNSET
    source: ResponseInfoSource | Unset = UNSET
    error_chain: list[ResponseInfo] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        documentation_url = self.documentation_url

        source: dict[str, Any] | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.to_dict()

        error_chain: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.error_chain, Unset):
            error_chain = []
            for error_chain_item_data in self.error_chain:
                error_chain_item = error_chain_item_data.to_dict()
                error_chain.append(error_chain_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if documentation_url is not UNSET:
            field_dict["documentation_url"] = documentation_url
        if source is not UNSET:
            field_dict["source"] = source
        if error_chain is not UNSET:
            field_dict["error_chain"] = error_chain

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.response_info_source import ResponseInfoSource  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        documentation_url = d.pop("documentation_url", UNSET)

        _source = d.pop("source", UNSET)
        source: ResponseInfoSource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = ResponseInfoSource.from_dict(_source)

        _error_chain = d.pop("error_chain", UNSET)
        error_chain: list[ResponseInfo] | Unset = UNSET
        if _error_chain is not UNSET:
            error_chain = []
            for error_chain_item_data in _error_chain:
                error_chain_item = ResponseInfo.from_dict(error_chain_item_data)

                error_chain.append(error_chain_item)

        response_info = cls(
            code=code,
            message=message,
            documentation_url=documentation_url,
            source=source,
            error_chain=error_chain,
        )

        response_info.additional_properties = d
        return response_info

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
