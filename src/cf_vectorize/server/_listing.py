"""List Vectors on the stand-in: pages of ids from a snapshot, behind cursors that expire.

``GET .../indexes/{index_name}/list?count=&cursor=`` answers as Cloudflare documents it:

- ``count`` is 1 to 1000, 100 when absent; a page holds ids only.
- A request without a cursor starts a listing: it takes a snapshot of the index's ids, and
  every page of that listing comes from it (ids inserted later do not appear, ids deleted
  later still do); ``totalCount`` is the snapshot's size.
- The ids come in id order (code point order, which is UTF-8 byte order). Cloudflare does
  not document its order; this is the stand-in's choice, as Cloudflare's KV and R2 lists
  do, and it keeps pages stable across listings of an unchanged index.
- ``nextCursor`` is opaque (64 URL-safe characters) and is passed back unchanged. It names
  the listing and the position, masked and signed with a key of this server, so the
  server keeps no state per page and a cursor altered, made up, or used for another index
  or account is refused. A cursor may be used again until it expires: a client that lost
  an answer and asks again gets the same page.
- Each cursor expires ``cursor_ttl`` seconds after it was issued, at
  ``cursorExpirationTimestamp`` (RFC 3339 with nine fractional digits, as Cloudflare's
  example); :meth:`Listings.expire_all` expires every cursor issued so far, for tests.
- The last page has ``isTruncated: false`` and null ``nextCursor`` and
  ``cursorExpirationTimestamp``.

Errors, in Cloudflare's envelope. No code is documented for a bad ``count`` or cursor;
these are the stand-in's own choices:

- 400, code 40001, ``invalid query: ...``: ``count`` not an integer from 1 to 1000, a
  parameter given twice, or too many parameters (the code of the stand-in's other
  malformed requests);
- 400, code 40002, ``invalid cursor: ...``: not a cursor this server issued for this
  account and index (empty, altered, or from another server);
- 400, code 40003, ``cursor expired: ...``: start a new listing without a cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl

from .._durations import duration_problem
from .._limits import API_DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from . import _responses
from ._index import Index
from ._responses import Answer
from ._routes import Request, Route

__all__ = [
    "CURSOR_EXPIRED_CODE",
    "DEFAULT_CURSOR_TTL",
    "DEFAULT_PAGE_SIZE",
    "INVALID_CURSOR_CODE",
    "INVALID_QUERY_CODE",
    "MAX_PAGE_SIZE",
    "ROUTE",
    "Listings",
]

DEFAULT_PAGE_SIZE: Final = API_DEFAULT_PAGE_SIZE
# Cloudflare does not say how long a cursor lives; an hour outlasts any listing of the
# stand-in's indexes, and tests shorten it or expire cursors at once.
DEFAULT_CURSOR_TTL: Final = 3600.0

INVALID_QUERY_CODE: Final = 40001
INVALID_CURSOR_CODE: Final = 40002
CURSOR_EXPIRED_CODE: Final = 40003

# Listings kept at once; past it the least recently paged one is dropped (its cursors
# are then answered as expired), so that a client starting listings in a loop cannot
# grow the server without bound.
MAX_LISTINGS: Final = 1024
# A query holds count and cursor; a few unknown parameters are ignored, many are refused.
_MAX_QUERY_FIELDS: Final = 20

# listing id, position, expiry (ns since the epoch), generation: 32 bytes, sent masked
# after a signature of 16.
_PAYLOAD: Final = struct.Struct(">16sIQI")
_TAG_BYTES: Final = 16
_CURSOR_BYTES: Final = _PAYLOAD.size + _TAG_BYTES
_CURSOR_CHARS: Final = len(base64.urlsafe_b64encode(bytes(_CURSOR_BYTES)).rstrip(b"="))
_CURSOR_SHAPE: Final = re.compile(rf"[A-Za-z0-9_-]{{{_CURSOR_CHARS}}}")
_COUNT_SHAPE: Final = re.compile(r"[0-9]{1,7}")


@dataclass
class _Snapshot:
    """The ids of one listing, and when its last cursor expires."""

    ids: tuple[str, ...]
    expires_ns: int


@dataclass(frozen=True)
class _Cursor:
    listing: bytes
    position: int
    expires_ns: int
    generation: int


class _QueryError(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


class Listings:
    """The listings a stand-in has started, and the answers to List Vectors.

    Thread-safe: the server answers each connection on a thread of its own.
    """

    def __init__(
        self,
        cursor_ttl: float = DEFAULT_CURSOR_TTL,
        *,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        problem = duration_problem(cursor_ttl, zero_allowed=True)  # NaN and inf included
        if problem is not None:
            raise ValueError(f"cursor_ttl must be {problem}")
        self.cursor_ttl = cursor_ttl
        self._ttl_ns = round(cursor_ttl * 1e9)
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._generation = 0
        self._listings: OrderedDict[bytes, _Snapshot] = OrderedDict()
        # The sorted ids of each index, made once per Index object and shared by listings.
        self._sorted: dict[str, tuple[Index, tuple[str, ...]]] = {}

    def __repr__(self) -> str:
        return f"Listings(cursor_ttl={self.cursor_ttl!r}, open={len(self._listings)})"

    def expire_all(self) -> None:
        """Expire every cursor issued so far; cursors issued later are not affected."""
        with self._lock:
            self._generation += 1
            self._listings.clear()

    def answer(self, account: str, index_name: str, index: Index, query: str) -> Answer:
        """Answer ``GET .../list?{query}`` for ``index`` (found under ``index_name``)."""
        try:
            count, cursor_text = _parse_query(query)
            now = self._clock()
            if cursor_text is None:
                listing = secrets.token_bytes(16)
                ids, position = self._sorted_ids(index_name, index), 0
            else:
                cursor = self._decode(cursor_text, account, index_name)
                listing, position = cursor.listing, cursor.position
                ids = self._resume(cursor, now)
        except _QueryError as problem:
            return problem.answer
        page = ids[position : position + count]
        following = position + len(page)
        result: dict[str, Any] = {
            "count": len(page),
            "totalCount": len(ids),
            "isTruncated": following < len(ids),
            "nextCursor": None,
            "cursorExpirationTimestamp": None,
            "vectors": [{"id": vector_id} for vector_id in page],
        }
        if following < len(ids):
            expires_ns = now + self._ttl_ns
            result["nextCursor"] = self._issue(
                listing,
                ids,
                position=following,
                expires_ns=expires_ns,
                scope=(account, index_name),
            )
            result["cursorExpirationTimestamp"] = _timestamp(expires_ns)
        return _responses.success(result)

    def _sorted_ids(self, name: str, index: Index) -> tuple[str, ...]:
        with self._lock:
            cached = self._sorted.get(name)
            if cached is not None and cached[0] is index:
                return cached[1]
        ids = tuple(sorted(index.ids()))
        with self._lock:
            self._sorted[name] = (index, ids)
        return ids

    def _resume(self, cursor: _Cursor, now: int) -> tuple[str, ...]:
        with self._lock:
            self._drop_expired(now)
            snapshot = self._listings.get(cursor.listing)
            if cursor.generation != self._generation or cursor.expires_ns <= now:
                snapshot = None
        if snapshot is None:
            # Signed by this server, so it was issued here: its listing is gone because
            # the cursor expired (or the listing was dropped for room).
            raise _QueryError(
                _responses.error(
                    400,
                    CURSOR_EXPIRED_CODE,
                    "cursor expired: start a new listing without a cursor",
                )
            )
        return snapshot.ids

    def _issue(
        self,
        listing: bytes,
        ids: tuple[str, ...],
        *,
        position: int,
        expires_ns: int,
        scope: tuple[str, str],
    ) -> str:
        """Return the cursor of ``position`` in ``listing``, kept until ``expires_ns``."""
        with self._lock:
            snapshot = self._listings.get(listing)
            if snapshot is None:
                snapshot = self._listings[listing] = _Snapshot(ids, expires_ns)
            snapshot.expires_ns = max(snapshot.expires_ns, expires_ns)
            self._listings.move_to_end(listing)
            while len(self._listings) > MAX_LISTINGS:
                self._listings.popitem(last=False)
            generation = self._generation
        payload = _PAYLOAD.pack(listing, position, expires_ns, generation)
        tag = self._sign(payload, *scope)
        token = tag + _xor(payload, self._mask(tag))
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def _drop_expired(self, now: int) -> None:
        # Cursors are issued with one lifetime, so the least recently paged listing
        # expires first: the front of the ordered dict.
        while self._listings:
            listing, snapshot = next(iter(self._listings.items()))
            if snapshot.expires_ns > now:
                break
            del self._listings[listing]

    def _sign(self, payload: bytes, account: str, index_name: str) -> bytes:
        scope = f"{account}\0{index_name}".encode()
        return hmac.new(self._key, payload + b"\0" + scope, hashlib.sha256).digest()[:_TAG_BYTES]

    def _mask(self, tag: bytes) -> bytes:
        # Hides the position and expiry, so that a cursor is opaque in fact, not only in name.
        return hmac.new(self._key, b"mask\0" + tag, hashlib.sha256).digest()

    def _decode(self, text: str, account: str, index_name: str) -> _Cursor:
        invalid = _QueryError(
            _responses.error(
                400,
                INVALID_CURSOR_CODE,
                "invalid cursor: pass back the nextCursor of a page of this index unchanged",
            )
        )
        if not _CURSOR_SHAPE.fullmatch(text):
            raise invalid
        try:
            token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise invalid from None
        if len(token) != _CURSOR_BYTES:
            raise invalid
        tag = token[:_TAG_BYTES]
        payload = _xor(token[_TAG_BYTES:], self._mask(tag))
        if not hmac.compare_digest(tag, self._sign(payload, account, index_name)):
            raise invalid
        return _Cursor(*_PAYLOAD.unpack(payload))


def _parse_query(query: str) -> tuple[int, str | None]:
    """Return ``count`` and ``cursor`` of a query string, or raise the 400 to answer."""
    try:
        fields = parse_qsl(query, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
    except ValueError:
        raise _QueryError(_invalid_query("too many query parameters")) from None
    given: dict[str, str] = {}
    for name, value in fields:
        if name in ("count", "cursor"):
            if name in given:
                raise _QueryError(_invalid_query(f"{name} is given more than once"))
            given[name] = value
    count = DEFAULT_PAGE_SIZE
    if "count" in given:
        text = given["count"]
        if not _COUNT_SHAPE.fullmatch(text) or not 1 <= int(text) <= MAX_PAGE_SIZE:
            raise _QueryError(_invalid_query(f"count must be an integer from 1 to {MAX_PAGE_SIZE}"))
        count = int(text)
    return count, given.get("cursor")


def _xor(data: bytes, mask: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, mask, strict=True))


def _invalid_query(detail: str) -> Answer:
    return _responses.error(400, INVALID_QUERY_CODE, f"invalid query: {detail}")


def _timestamp(ns: int) -> str:
    """Render ns since the epoch as RFC 3339 with nine fractional digits, as Cloudflare does."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{fraction:09d}+00:00"


def answer(index: Index, request: Request) -> Answer:
    """Answer one List Vectors request, with the listings the server keeps."""
    return request.config.listings.answer(
        request.account_id, request.index_name, index, request.query
    )


ROUTE: Final = Route(name="list_vectors", method="GET", action="list", answer=answer)
