"""Cloudflare Vectorize's limits, each defined once.

The client, the CLI, the stand-in and the scripts import them from here;
tests/test_limits.py holds them equal to the facts of openapi.yaml.
"""

from __future__ import annotations

import re
from typing import Final

MAX_IDS_PER_REQUEST: Final = 20
"""Ids one Get Vectors By Identifier request may name; Cloudflare answers a 21st with
HTTP 400, code 40007."""

MAX_ID_BYTES: Final = 64
"""UTF-8 bytes of a vector id."""

MAX_INDEX_NAME_BYTES: Final = 64
"""UTF-8 bytes of an index name."""

INDEX_NAME_PATTERN: Final = re.compile(r"^([a-z]+[a-z0-9_-]*[a-z0-9]+)$")
"""An index name, spelled as the API documents it; match it with ``fullmatch``, for ``$``
alone also matches before a final newline."""

MAX_PAGE_SIZE: Final = 1000
"""Ids one List Vectors page may hold (the ``count`` query parameter's maximum)."""

API_DEFAULT_PAGE_SIZE: Final = 100
"""Ids a List Vectors page holds when the request gives no ``count``."""

MAX_ACCOUNT_ID_LENGTH: Final = 32
"""Characters of an account id."""

MAX_NAMESPACE_BYTES: Final = 64
"""UTF-8 bytes of a namespace name."""

MAX_METADATA_BYTES: Final = 10 * 1024
"""Bytes of one vector's metadata, as JSON."""

MAX_DIMENSIONS: Final = 1536
"""Values of one vector."""
