"""cf-vectorize: a typed Python client for Cloudflare Vectorize get_by_ids."""

from ._version import __version__

__all__ = ["__version__"]
