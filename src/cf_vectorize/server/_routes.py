"""The endpoints the stand-in serves, each a :class:`Route` under ``.../indexes/{name}/``.

The handler does what every endpoint shares (the path, the method, the body limit,
injected faults, credentials, the account, the index) and then hands the request to the
route's ``answer``. A new endpoint is a module with a ``Route`` added to the handler's table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._auth import Headers
from ._index import Index
from ._responses import Answer

if TYPE_CHECKING:
    from ._handler import Config

__all__ = ["Request", "Route"]


@dataclass(frozen=True)
class Request:
    """A request that reached a route: its index found, its credentials accepted."""

    method: str
    path: str
    query: str  # the raw query string, without "?"
    account_id: str
    index_name: str
    headers: Headers = field(repr=False)
    body: bytes = field(repr=False)
    config: Config = field(repr=False)  # the server's, for a route that keeps state there


@dataclass(frozen=True)
class Route:
    """One endpoint: ``METHOD .../vectorize/v2/indexes/{index_name}/{action}``."""

    name: str  # as requests are logged and faults aimed: "get_by_ids"
    method: str
    action: str  # the last segment of the path
    answer: Callable[[Index, Request], Answer]
