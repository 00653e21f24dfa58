"""The get_by_ids endpoint: ``POST .../indexes/{index_name}/get_by_ids`` with ``{"ids": [...]}``."""

from __future__ import annotations

import json
from typing import Final

from .._limits import MAX_ID_BYTES, MAX_IDS_PER_REQUEST
from . import _responses
from ._index import Index
from ._responses import Answer
from ._routes import Request, Route

__all__ = ["ROUTE"]


def answer(index: Index, request: Request) -> Answer:
    """Return the stored vectors of the ids asked for, or the error for a bad body."""
    ids = parse_ids(request.body)
    if isinstance(ids, Answer):
        return ids
    return _responses.success_records(index.records(ids))


def parse_ids(body: bytes) -> list[str] | Answer:  # noqa: PLR0911 - one per problem
    """Return the ids of a get_by_ids body, or the error answer for a bad one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _responses.malformed_body("the body is not valid JSON")
    except RecursionError:
        return _responses.malformed_body("the body nests too deeply")
    if not isinstance(payload, dict):
        return _responses.malformed_body("the body must be a JSON object")
    if "ids" not in payload:
        return _responses.malformed_body("ids is required")
    ids = payload["ids"]
    if not isinstance(ids, list):
        return _responses.malformed_body("ids must be an array of strings")
    if len(ids) > MAX_IDS_PER_REQUEST:
        return _responses.too_many_ids()
    if not ids:
        return _responses.malformed_body("ids must hold at least one id")
    for position, vector_id in enumerate(ids):
        if not isinstance(vector_id, str) or not vector_id:
            return _responses.malformed_body(f"ids[{position}] must be a non-empty string")
        try:
            size = len(vector_id.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate, as "\ud800" in JSON decodes to
            return _responses.malformed_body(f"ids[{position}] is not valid Unicode")
        if size > MAX_ID_BYTES:
            return _responses.malformed_body(f"ids[{position}] is over {MAX_ID_BYTES} bytes")
    return ids


ROUTE: Final = Route(name="get_by_ids", method="POST", action="get_by_ids", answer=answer)
