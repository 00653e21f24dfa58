"""A client library for accessing Cloudflare Vectorize get_by_ids and list-vectors"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
