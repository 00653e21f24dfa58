"""Contains all the data models used in inputs/outputs"""

from .error_response import ErrorResponse
from .get_vectors_by_id_request import GetVectorsByIdRequest
from .get_vectors_by_id_response import GetVectorsByIdResponse
from .list_vectors_response import ListVectorsResponse
from .list_vectors_result import ListVectorsResult
from .response_info import ResponseInfo
from .response_info_source import ResponseInfoSource
from .vector import Vector
from .vector_list_item import VectorListItem
from .vector_metadata import VectorMetadata

__all__ = (
    "ErrorResponse",
    "GetVectorsByIdRequest",
    "GetVectorsByIdResponse",
    "ListVectorsResponse",
    "ListVectorsResult",
    "ResponseInfo",
    "ResponseInfoSource",
    "Vector",
    "VectorListItem",
    "VectorMetadata",
)
