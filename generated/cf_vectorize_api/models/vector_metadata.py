from __future__ import annotations

from typing import Any, TypeAlias

VectorMetadata: TypeAlias = dict[str, Any]
"""Free-form metadata (at most 10 KiB per vector). A plain dict."""
