"""A compact in-memory index: each vector kept as its serialised JSON, found by id.

Python objects cost far more than the text they come from (a float is 24 bytes plus an
8-byte pointer, against the 7 or so characters it takes in a file), so a file of small
values loaded as dicts and lists took ten times its size. Here every vector is stored as
the bytes of its compact JSON, one after another in a single ``bytearray``, and found
through an open-addressing table held in ``array`` columns: about 30 bytes per vector
beyond its JSON.

Values are re-serialised as the shortest text that reads back as the same double (json
and orjson both write floats so), so an answer carries exactly the numbers the file held
(integers stay integers); an answer splices the stored bytes in without parsing them again.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from ._json import dumps_ascii, dumps_numbers, string_ascii

__all__ = ["Index", "IndexBuilder", "id_key"]

# Every record starts with this, then the id's JSON (the encoder keeps insertion order).
_RECORD_START: Final = b'{"id":'
_EMPTY: Final = -1
_FIRST_TABLE_SIZE: Final = 16


def id_key(vector_id: str) -> bytes:
    """Return the bytes an id takes in a stored record: its JSON string, ASCII only.

    ASCII only, so that the key is the same whoever wrote the id, and a lone surrogate
    (valid in JSON text) is still a key.
    """
    return string_ascii(vector_id)


def _record(key: bytes, vector: Mapping[str, Any]) -> bytes:
    """Serialise a checked vector compactly, ``id`` first (as its key)."""
    parts = [_RECORD_START, key, b',"values":', dumps_numbers(vector["values"])]
    for optional in ("metadata", "namespace"):
        if optional in vector:
            parts += [b',"', optional.encode(), b'":', dumps_ascii(vector[optional])]
    parts.append(b"}")
    return b"".join(parts)


class _Records:
    """The records one after another, and an open-addressing table from id to record."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.offsets = array("q", [0])  # record n is data[offsets[n]:offsets[n + 1]]
        self.id_sizes = array("H")
        self.hashes = array("i")  # 31 bits of each key's hash: enough to place and filter
        self.slots = array("i", [_EMPTY]) * _FIRST_TABLE_SIZE  # record numbers, or _EMPTY

    def __len__(self) -> int:
        return len(self.id_sizes)

    def append(self, key: bytes, record: bytes) -> None:
        """Add a record whose id (as ``key``) is not there yet."""
        number = len(self)
        if (number + 1) * 2 > len(self.slots):  # kept at most half full
            bigger = array("i", [_EMPTY]) * (len(self.slots) * 2)
            for old, key_hash in enumerate(self.hashes):
                _place(bigger, key_hash, old)
            self.slots = bigger
        self.data += record
        self.offsets.append(len(self.data))
        self.id_sizes.append(len(key))
        key_hash = _hash(key)
        self.hashes.append(key_hash)
        _place(self.slots, key_hash, number)

    def find(self, key: bytes) -> int:
        """Return the number of the record whose id is ``key``, or ``_EMPTY``."""
        key_hash = _hash(key)
        slots, mask = self.slots, len(self.slots) - 1
        slot = key_hash & mask
        start = len(_RECORD_START)
        while (number := slots[slot]) != _EMPTY:
            if (
                self.hashes[number] == key_hash
                and self.id_sizes[number] == len(key)
                and self.data.startswith(key, self.offsets[number] + start)
            ):
                return number
            slot = (slot + 1) & mask
        return _EMPTY

    def record(self, number: int) -> bytes:
        """Return record ``number``."""
        return bytes(memoryview(self.data)[self.offsets[number] : self.offsets[number + 1]])

    def id_of(self, number: int) -> str:
        """Return the id of record ``number``."""
        start = self.offsets[number] + len(_RECORD_START)
        return str(json.loads(self.data[start : start + self.id_sizes[number]]))


def _hash(key: bytes) -> int:
    return hash(key) & 0x7FFFFFFF


def _place(slots: array[int], key_hash: int, number: int) -> None:
    mask = len(slots) - 1
    slot = key_hash & mask
    while slots[slot] != _EMPTY:
        slot = (slot + 1) & mask
    slots[slot] = number


class IndexBuilder:
    """Collects checked vectors in file order; :meth:`build` makes the :class:`Index`."""

    def __init__(self) -> None:
        self._records = _Records()
        self._lines = array("q")  # where each record came from, for duplicate reports

    def __len__(self) -> int:
        return len(self._records)

    def add(self, vector: Mapping[str, Any], line: int) -> int | None:
        """Store ``vector``; return the line of the first vector of its id, if there is one."""
        key = id_key(vector["id"])
        found = self._records.find(key)
        if found != _EMPTY:
            return self._lines[found]
        self._records.append(key, _record(key, vector))
        self._lines.append(line)
        return None

    def build(self, name: str, dimensions: int | None) -> Index:
        """Return the index (the builder must not be used afterwards)."""
        # The records themselves, not a copy: a copy would double the peak.
        return Index(name, dimensions, self._records)


class Index:
    """One index: its vectors by id, in file order, each kept as compact JSON bytes."""

    def __init__(self, name: str, dimensions: int | None, records: _Records) -> None:
        self.name = name
        self.dimensions = dimensions
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, vector_id: object) -> bool:
        return isinstance(vector_id, str) and self._records.find(id_key(vector_id)) != _EMPTY

    def __repr__(self) -> str:
        return f"Index(name={self.name!r}, dimensions={self.dimensions}, vectors={len(self)})"

    @property
    def vectors(self) -> Mapping[str, Mapping[str, Any]]:
        """The vectors by id, in file order, each decoded on access."""
        return _Vectors(self)

    def ids(self) -> Iterator[str]:
        """Yield every id, in file order."""
        return map(self._records.id_of, range(len(self._records)))

    def records(self, ids: Iterable[str]) -> list[bytes]:
        """Return the stored JSON of the vectors asked for, each once, in file order.

        File order rather than request order: Cloudflare does not document the order of
        ``result``, so a client must map results back by id, and this shows it.
        """
        found = {self._records.find(id_key(vector_id)) for vector_id in ids} - {_EMPTY}
        return [self._records.record(number) for number in sorted(found)]

    def get_by_ids(self, ids: Iterable[str]) -> list[Mapping[str, Any]]:
        """Return the vectors asked for, decoded, each once, in file order."""
        return [json.loads(record) for record in self.records(ids)]

    def get(self, vector_id: str) -> Mapping[str, Any] | None:
        """Return the vector ``vector_id``, decoded, or ``None``."""
        number = self._records.find(id_key(vector_id))
        return None if number == _EMPTY else json.loads(self._records.record(number))


class _Vectors(Mapping[str, Mapping[str, Any]]):
    """A read-only view of an index's vectors, decoded on access."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __getitem__(self, vector_id: str) -> Mapping[str, Any]:
        vector = self._index.get(vector_id)
        if vector is None:
            raise KeyError(vector_id)
        return vector

    def __iter__(self) -> Iterator[str]:
        return self._index.ids()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, vector_id: object) -> bool:
        return vector_id in self._index
