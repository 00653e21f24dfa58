"""Settings from keyword arguments, filled in from the environment."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from ._auth import ApiToken, Credential, GlobalApiKey
from ._errors import ConfigurationError, InvalidInputError, InvalidInputTypeError
from ._validation import check_account_id

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
ENV_ACCOUNT_ID = "CLOUDFLARE_ACCOUNT_ID"
ENV_API_TOKEN = "CLOUDFLARE_API_TOKEN"  # noqa: S105 (a variable name, not a secret)
ENV_EMAIL = "CLOUDFLARE_EMAIL"
ENV_API_KEY = "CLOUDFLARE_API_KEY"
ENV_BASE_URL = "CLOUDFLARE_BASE_URL"


@dataclass(frozen=True, repr=False)
class Settings:
    """What a client needs to send a request; never shows the credential."""

    account_id: str
    auth: Credential
    base_url: str

    def __repr__(self) -> str:
        return (
            f"Settings(account_id={self.account_id!r}, auth={self.auth!r}, "
            f"base_url={self.base_url!r})"
        )


AUTH_ARGUMENTS = "pass auth=ApiToken(...) or auth=GlobalApiKey(email=..., key=...), or set"


def credential_values(env: Mapping[str, str]) -> tuple[str] | tuple[str, str] | None:
    """Return the environment's credential as (token,) or (email, key), or None."""
    if env.get(ENV_API_TOKEN):
        return (env[ENV_API_TOKEN],)
    email, key = env.get(ENV_EMAIL), env.get(ENV_API_KEY)
    return (email, key) if email and key else None


def credential_from(values: tuple[str] | tuple[str, str]) -> Credential:
    """Return the credential of credential_values()."""
    if len(values) == 1:
        return ApiToken(values[0])
    return GlobalApiKey(email=values[0], key=values[1])


def resolve_auth(
    auth: Credential | None, env: Mapping[str, str], *, how: str = AUTH_ARGUMENTS
) -> Credential:
    """Return auth, else a token from the environment, else e-mail + key from it.

    `how` words the refusal for the caller: what to pass or set, before the variables.
    """
    if auth is not None:
        if not isinstance(auth, ApiToken | GlobalApiKey):
            raise InvalidInputTypeError(
                f"auth must be ApiToken or GlobalApiKey, not {type(auth).__name__}"
            )
        return auth
    values = credential_values(env)
    if values is not None:
        return credential_from(values)
    email, key = env.get(ENV_EMAIL), env.get(ENV_API_KEY)
    half = f"; {ENV_EMAIL} is set but {ENV_API_KEY} is not" if email else ""
    half = f"; {ENV_API_KEY} is set but {ENV_EMAIL} is not" if key and not email else half
    raise ConfigurationError(
        f"no credential: {how} {ENV_API_TOKEN}, or {ENV_EMAIL} and {ENV_API_KEY}{half}"
    )


def resolve_account_id(
    account_id: str | None, env: Mapping[str, str], *, how: str = "pass account_id=..."
) -> str:
    """Return account_id, else the one in the environment; `how` words the refusal."""
    if account_id is None:
        account_id = env.get(ENV_ACCOUNT_ID) or None
    if account_id is None:
        raise ConfigurationError(f"no account id: {how} or set {ENV_ACCOUNT_ID}")
    return check_account_id(account_id)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# One DNS label: letters, digits, '-' (not first or last) and '_' (found in real names).
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
ALLOW_INSECURE_HINT = "pass allow_insecure_http=True"


def _host_problem(host: str) -> str | None:
    """Why host (as httpx encodes it: IDNA, lower case) cannot be connected to, or None."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    name = host.removesuffix(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return "is not a valid host name"
    return None


def resolve_base_url(
    base_url: str | None,
    env: Mapping[str, str],
    allow_insecure_http: bool,
    *,
    name: str = "base_url",
    insecure_hint: str = ALLOW_INSECURE_HINT,
) -> str:
    """Return the API base URL; plain http is refused except to loopback unless allowed.

    Everything wrong with the URL is an InvalidInputError here, before a client exists:
    httpx would otherwise fail later with an idna or socket error of its own. `name` and
    `insecure_hint` word the messages for the caller (argument or command-line option).
    """
    url_text = base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if not isinstance(url_text, str):
        raise InvalidInputTypeError(f"{name} must be a str, not {type(url_text).__name__}")
    quoted = hide_userinfo(url_text)
    shown = f"{name} {quoted[:200] + ('…' if len(quoted) > 200 else '')!r}"
    try:
        url = httpx.URL(url_text)
        host = url.raw_host.decode("ascii")
        url.host  # noqa: B018 (decodes the IDNA labels, which fails for a malformed xn-- one)
        port = url.port
    except (httpx.InvalidURL, ValueError) as error:  # IDNA errors are UnicodeErrors
        raise InvalidInputError(f"{shown} is not a usable URL: {error}") from None
    if url.userinfo:
        raise InvalidInputError(
            f"{shown} holds a user name or password: give the credential as a credential "
            "(auth= or the environment), never in the URL"
        )
    if any(char.isspace() for char in url_text):
        raise InvalidInputError(f"{shown} contains white space")
    if url.scheme not in ("http", "https") or not host:
        raise InvalidInputError(f"{shown} is not an http(s) URL with a host")
    problem = _host_problem(host)
    if problem is not None:
        raise InvalidInputError(f"{shown}: the host {host!r} {problem}")
    if port is not None and not 0 < port < 65536:
        raise InvalidInputError(f"{shown}: port {port} is not between 1 and 65535")
    if url.query or url.fragment or "?" in url_text or "#" in url_text:
        raise InvalidInputError(
            f"{shown} has a query or fragment: the API paths are appended to it"
        )
    if url.scheme == "http" and not _is_loopback(host) and not allow_insecure_http:
        raise InvalidInputError(
            f"{shown} is plain http: the credential would travel unencrypted. "
            f"Use https, or {insecure_hint}"
        )
    return url_text.rstrip("/")


def hide_userinfo(text: str) -> str:
    """Return text with the user:password@ of any URL in it replaced by …@."""
    return re.sub(r"://[^/@\s]*@", "://…@", text)


def resolve(
    *,
    account_id: str | None,
    auth: Credential | None,
    base_url: str | None,
    allow_insecure_http: bool,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting: keyword arguments win, the environment fills in."""
    env = os.environ if env is None else env
    return Settings(
        account_id=resolve_account_id(account_id, env),
        auth=resolve_auth(auth, env),
        base_url=resolve_base_url(base_url, env, allow_insecure_http),
    )
