"""The stand-in as a test uses it (``cf_vectorize.testing`` re-exports it, with fixtures).

Kept apart from the pytest plugin so that loading the plugin, which pytest does in every
session of every project that has cf-vectorize installed, imports next to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from ._config import ENV_ACCOUNT_ID, ENV_API_KEY, ENV_API_TOKEN, ENV_BASE_URL, ENV_EMAIL
from .server import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TIMEOUT,
    SAMPLE_INDEX_NAME,
    Credentials,
    StandInServer,
    Store,
)

if TYPE_CHECKING:
    from . import AsyncVectorize, Vectorize

__all__ = ["DEFAULT_ACCOUNT_ID", "VectorizeServer"]

# What the server's account_id is when none is set; any account is then accepted.
DEFAULT_ACCOUNT_ID: Final = "cf-vectorize-test-account"
ENV_VARIABLES: Final = (ENV_BASE_URL, ENV_API_TOKEN, ENV_ACCOUNT_ID)
"""The variables ``VectorizeServer.env`` sets (and ``vectorize_env`` points at the server)."""
# Cleared by vectorize_env too, so that only the stand-in's credential is in the environment.
OTHER_CREDENTIAL_VARIABLES: Final = (ENV_EMAIL, ENV_API_KEY)


class VectorizeServer(StandInServer):
    """The stand-in as a test uses it: requests recorded, an account id to use, helpers.

    ``token`` is random unless given. ``account_id`` is what clients should use: without
    it, :data:`DEFAULT_ACCOUNT_ID` and any account is accepted; with it, only that account
    (others get 403, code 10000, as Cloudflare answers a token without access).
    ``sample=False`` starts with no index at all. Limits are those of ``cf-vectorize serve``.
    Use it as a context manager, or :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        account_id: str | None = None,
        sample: bool = True,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        # None leaves the choice to StandInServer: a random token, the sample index.
        super().__init__(
            None if sample else Store(),
            credentials=None if token is None else Credentials(token=token),
            account_id=account_id,
            max_body_bytes=max_body_bytes,
            timeout=timeout,
            request_timeout=request_timeout,
            max_connections=max_connections,
            record_requests=True,
        )
        self._client_account_id = DEFAULT_ACCOUNT_ID if account_id is None else account_id

    @property
    def token(self) -> str:
        """The API token the server accepts (``Authorization: Bearer ...``)."""
        token = self.credentials.token
        assert token is not None  # noqa: S101 - always made with a token
        return token

    @property
    def account_id(self) -> str:
        """The account id for clients to use."""
        return self._client_account_id

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point a client or the CLI at this server."""
        return {
            ENV_BASE_URL: self.base_url,
            ENV_API_TOKEN: self.token,
            ENV_ACCOUNT_ID: self.account_id,
        }

    def client(self, **options: Any) -> Vectorize:  # noqa: ANN401 - Vectorize's keywords
        """Return a sync client for this server (keyword arguments go to ``Vectorize``)."""
        from . import ApiToken, Vectorize  # noqa: PLC0415 - keep plugin import light

        return Vectorize(**{**self._client_options(ApiToken), **options})

    def async_client(self, **options: Any) -> AsyncVectorize:  # noqa: ANN401
        """Return an async client for this server (keyword arguments go to ``AsyncVectorize``)."""
        from . import ApiToken, AsyncVectorize  # noqa: PLC0415 - keep plugin import light

        return AsyncVectorize(**{**self._client_options(ApiToken), **options})

    def reset(self) -> None:
        """Forget requests and faults, and serve only the sample index (for shared servers)."""
        self.clear_requests()
        self.clear_faults()
        for name in list(self.store.indexes):
            if name != SAMPLE_INDEX_NAME:
                self.store.remove(name)

    def _client_options(self, api_token: Callable[[str], Any]) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "auth": api_token(self.token),
            "base_url": self.base_url,
        }

    def __repr__(self) -> str:
        return (
            f"VectorizeServer(base_url={self.base_url!r}, account_id={self.account_id!r}, "
            f"indexes={sorted(self.store.indexes)})"
        )
