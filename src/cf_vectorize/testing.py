"""pytest fixtures for code that uses Cloudflare Vectorize: a local stand-in per test.

Installed with the package and registered through the ``pytest11`` entry point, so a test
suite needs no conftest: ask for a fixture by name.

- ``vectorize_server``: a fresh :class:`VectorizeServer` for each test, on 127.0.0.1, port
  0, served from a thread; the bundled ``sample`` index is served, ``add_index`` adds
  yours, ``fail_next`` injects Cloudflare's errors, ``delay_next`` slow answers,
  ``requests`` lists what it received.
- ``vectorize_env``: the same server, with ``CLOUDFLARE_BASE_URL``,
  ``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID`` set to it for the test (so
  ``Vectorize()`` and the CLI find it with no arguments), restored afterwards.
- ``vectorize_server_factory``: more servers, or servers with options (a fixed token,
  one accepted account, other limits), all stopped after the test.

For one server shared by many tests, make a session fixture of your own from
:class:`VectorizeServer` (see the README, "Testing your code").

Nothing here is imported by ``import cf_vectorize``: pytest stays an optional dependency.
And pytest loads this module in every session wherever cf-vectorize is installed, so the
stand-in itself is imported only when a fixture or a name from it is first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from ._testing_server import DEFAULT_ACCOUNT_ID, ENV_VARIABLES, VectorizeServer
    from .server import RecordedRequest

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "ENV_VARIABLES",
    "RecordedRequest",
    "VectorizeServer",
    "vectorize_env",
    "vectorize_server",
    "vectorize_server_factory",
]

_LAZY: Final = {
    "ENV_VARIABLES": "cf_vectorize._testing_server",
    "DEFAULT_ACCOUNT_ID": "cf_vectorize._testing_server",
    "VectorizeServer": "cf_vectorize._testing_server",
    "RecordedRequest": "cf_vectorize.server",
}


def __getattr__(name: str) -> object:
    """Import the stand-in's names when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def _server_class() -> type[VectorizeServer]:
    from ._testing_server import VectorizeServer  # noqa: PLC0415 - see the module docstring

    return VectorizeServer


@pytest.fixture
def vectorize_server() -> Iterator[VectorizeServer]:
    """Return a fresh stand-in for this test, stopped after it."""
    with _server_class()() as server:
        yield server


@pytest.fixture
def vectorize_env(vectorize_server: VectorizeServer) -> Iterator[VectorizeServer]:
    """Point ``CLOUDFLARE_*`` at this test's stand-in; restore the environment afterwards."""
    from ._testing_server import OTHER_CREDENTIAL_VARIABLES  # noqa: PLC0415 - see the docstring

    with pytest.MonkeyPatch.context() as patch:
        for name in OTHER_CREDENTIAL_VARIABLES:
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
        server = _server_class()(**options)
        server.start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()
