from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.list_vectors_result import ListVectorsResult
    from ..models.response_info import ResponseInfo


T = TypeVar("T", bound="ListVectorsResponse")


@_attrs_define
class ListVectorsResponse:
    """The success envelope of List Vectors; `result` holds one page.

    Attributes:
        success (Literal[True]): Whether the API call was successful (always true here).
        errors (list[ResponseInfo]):
        messages (list[ResponseInfo]):
        result (ListVectorsResult): One page of vector identifiers.
    """

    success: Literal[True]
    errors: list[ResponseInfo]
    messages: list[ResponseInfo]
    result: ListVectorsResult
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        result = self.result.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "errors": errors,
                "messages": messages,
                "result": result,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_vectors_result import ListVectorsResult  # noqa: PLC0415
        from ..models.response_info import ResponseInfo  # noqa: PLC0415

        d = dict(src_dict)
        success = cast(Literal[True], d.pop("success"))
        if success != True:
            raise ValueError(f"success must match const True, got '{success}'")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ResponseInfo.from_dict(errors_item_data)

            errors.append(errors_item)

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = ResponseInfo.from_dict(messages_item_data)

            messages.append(messages_item)

        result = ListVectorsResult.from_dict(d.pop("result"))

        list_vectors_response = cls(
            success=success,
            errors=errors,
            messages=messages,
            result=result,
        )

        list_vectors_response.additional_properties = d
        return list_vectors_response

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
