"""The credentials the stand-in accepts, and the check of a request's auth headers."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from . import _responses
from ._responses import Answer

__all__ = ["Credentials", "Headers"]


class Headers(Protocol):
    """Request headers looked up by name (``email.message.Message`` or a ``dict``)."""

    def get(self, name: str, /) -> str | None:
        """Return the header's value, or ``None``."""


def _same(given: str, expected: str) -> bool:
    # Constant time, so the answer's timing says nothing about how much of a secret matched.
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Credentials:
    """An API token, an email and Global API key pair, or both; ``repr`` hides the secrets."""

    token: str | None = field(default=None, repr=False)
    email: str | None = None
    key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.email is None) != (self.key is None):
            raise ValueError("an email and a key go together: give both or neither")
        if self.token is None and self.key is None:
            raise ValueError("give a token, or an email and a key")
        for name, value in (("token", self.token), ("email", self.email), ("key", self.key)):
            if value is not None and (not value or value != value.strip() or " " in value):
                raise ValueError(f"the {name} must be non-empty and hold no spaces")

    @classmethod
    def random_token(cls) -> Credentials:
        """Make credentials holding a fresh random API token."""
        return cls(token=secrets.token_urlsafe(30))

    def check(self, headers: Headers) -> Answer | None:  # noqa: PLR0911 - one per answer
        """Return the error answer for ``headers``, or ``None`` when they authenticate.

        ``Authorization`` is looked at first; then ``X-Auth-Email`` with ``X-Auth-Key``.
        """
        authorization = headers.get("Authorization")
        if authorization is not None:
            scheme, _, token = authorization.strip().partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token or " " in token:
                return _responses.bad_header(6111, "Authorization")
            if self.token is not None and _same(token, self.token):
                return None
            return _responses.authentication_error()
        email, key = headers.get("X-Auth-Email"), headers.get("X-Auth-Key")
        if email is None and key is None:
            return _responses.missing_authorization()
        if email is None or not email.strip():
            return _responses.bad_header(6102, "X-Auth-Email")
        if key is None or not key.strip():
            return _responses.bad_header(6103, "X-Auth-Key")
        if self.email is None or self.key is None:
            return _responses.authentication_error()
        # Both compared, always: no early exit that would time the email alone.
        email_ok = _same(email.strip().casefold(), self.email.casefold())
        key_ok = _same(key.strip(), self.key)
        return None if email_ok and key_ok else _responses.authentication_error()
