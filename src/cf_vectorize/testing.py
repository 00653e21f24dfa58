"""pytest fixtures for code that uses Cloudflare Vectorize: a local stand-in per test.

Installed with the package and registered through the ``pytest11`` entry point, so a test
suite needs no conftest: ask for a fixture by name.

- ``vectorize_server``: a fresh :class:`VectorizeServer` for each test, on 127.0.0.1, port
  0, served from a thread; the bundled ``sample`` index is served, ``add_index`` adds
  yours, ``fail_next`` injects Cloudflare's errors, ``requests`` lists what it received.
- ``vectorize_env``: the same server, with ``CLOUDFLARE_BASE_URL``,
  ``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID`` set to it for the test (so
  ``Vectorize()`` and the CLI find it with no arguments), restored afterwards.
- ``vectorize_server_factory``: more servers, or servers with options (a fixed token,
  one accepted account, other limits), all stopped after the test.

For one server shared by many tests, make a session fixture of your own from
:class:`VectorizeServer` (see the README, "Testing your code").

Nothing here is imported by ``import cf_vectorize``: pytest stays an optional dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

from .server import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TIMEOUT,
    SAMPLE_INDEX_NAME,
    Credentials,
    RecordedRequest,
    StandInServer,
    Store,
    load_sample_index,
)

if TYPE_CHECKING:
    from . import AsyncVectorize, Vectorize

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "ENV_VARIABLES",
    "RecordedRequest",
    "VectorizeServer",
    "vectorize_env",
    "vectorize_server",
    "vectorize_server_factory",
]

# What the server's account_id is when none is set; any account is then accepted.
DEFAULT_ACCOUNT_ID: Final = "cf-vectorize-test-account"
ENV_VARIABLES: Final = ("CLOUDFLARE_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID")
# Cleared by vectorize_env too, so that only the stand-in's credential is in the environment.
_OTHER_CREDENTIALS: Final = ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY")


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
        credentials = Credentials.random_token() if token is None else Credentials(token=token)
        store = Store({SAMPLE_INDEX_NAME: load_sample_index()} if sample else {})
        super().__init__(
            store,
            credentials=credentials,
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
            "CLOUDFLARE_BASE_URL": self.base_url,
            "CLOUDFLARE_API_TOKEN": self.token,
            "CLOUDFLARE_ACCOUNT_ID": self.account_id,
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


@pytest.fixture
def vectorize_server() -> Iterator[VectorizeServer]:
    """Return a fresh stand-in for this test, stopped after it."""
    with VectorizeServer() as server:
        yield server


@pytest.fixture
def vectorize_env(vectorize_server: VectorizeServer) -> Iterator[VectorizeServer]:
    """Point ``CLOUDFLARE_*`` at this test's stand-in; restore the environment afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        for name in _OTHER_CREDENTIALS:
            patch.delenv(name, raising=False)
        for name, value in vectorize_server.env.items():
            patch.setenv(name, value)
        yield vectorize_server


@pytest.fixture
def vectorize_server_factory() -> Iterator[Callable[..., VectorizeServer]]:
    """Return a function that starts servers (``VectorizeServer``'s keywords).

    Every server it started is stopped after the test.
    """
    started: list[VectorizeServer] = []

    def make(**options: Any) -> VectorizeServer:  # noqa: ANN401
        server = VectorizeServer(**options)
        server.start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()
