"""What the sync and async clients share: settings, request building, the streams' state."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

import httpx

from ._auth import BoundCredential, Credential
from ._body import ACCEPT_ENCODING
from ._calls import ApiRequest, CallSettings
from ._config import hide_userinfo, resolve
from ._durations import check_duration
from ._errors import ClientClosedError, ConfigurationError, InvalidInputError
from ._limits import MAX_IDS_PER_REQUEST, MAX_PAGE_SIZE
from ._pacing import Pacer, Pacing
from ._plan import END, Chunk, Plan
from ._proxy import direct_only, environment_proxy
from ._response import encode_json, vectors_from
from ._retry import RetryPolicy
from ._validation import Drawn, check_index_name, iter_unique_ids, unique_id_keys
from ._version import __version__

if TYPE_CHECKING:  # the generated package loads with the first answer, not with the package
    from cf_vectorize_api.models import GetVectorsByIdRequest, Vector

    from ._listing import Listing, Page

# Chunks in flight at once in a batched call. Eight keeps a bulk fetch fast at the usual
# 50-150 ms round trip while staying well under Cloudflare's 200 requests/s per IP.
DEFAULT_MAX_CONCURRENCY = 8
USER_AGENT = f"cf-vectorize/{__version__}"
_PROXY_VARIABLES = "HTTP_PROXY, HTTPS_PROXY or ALL_PROXY"
MAX_KEPT_URLS = 256  # parsed request URLs a client keeps (see ClientBase._absolute_url)

HTTPClient = TypeVar("HTTPClient", httpx.Client, httpx.AsyncClient)

Transport = TypeVar("Transport", httpx.BaseTransport, httpx.AsyncBaseTransport)


@dataclass(frozen=True)
class Timeout:
    """Time limits of one attempt, in seconds.

    `total` bounds the whole attempt, a server that drips its answer included; `connect`
    bounds opening the connection. Each is more than 0 and at most one day (`MAX_SECONDS`),
    the bound of every duration setting: every wait has a limit, so `math.inf` is refused.
    """

    total: float = 60.0
    connect: float = 5.0

    def __post_init__(self) -> None:
        check_duration("Timeout total", self.total)
        check_duration("Timeout connect", self.connect)

    def for_httpx(self) -> httpx.Timeout:
        """Per-phase limits for httpx; the total is enforced by the client around them."""
        return self._httpx_timeout

    @functools.cached_property
    def _httpx_timeout(self) -> httpx.Timeout:
        # Made once, not with every request: httpx copies what it is given, never changes it.
        return httpx.Timeout(self.total, connect=min(self.connect, self.total))


DEFAULT_TIMEOUT = Timeout()


def as_timeout(timeout: float | Timeout) -> Timeout:
    """Accept a number of seconds (the total) or a Timeout."""
    if isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InvalidInputError(
            f"timeout must be seconds or a Timeout, not {type(timeout).__name__}"
        )
    check_duration("timeout", timeout)  # before float(), which overflows for a huge int
    return Timeout(total=float(timeout), connect=min(DEFAULT_TIMEOUT.connect, float(timeout)))


def check_count(value: int, name: str, minimum: int) -> int:
    """Return value if it is an int of at least minimum."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{name} must be an int >= {minimum}, not {value!r}")
    return value


StreamT = TypeVar("StreamT", bound="StreamBase")


class Abortable(Protocol):
    """A call in flight that closing the client ends (a stream, or a one-request call)."""

    def _abort(self) -> None: ...


ListT = TypeVar("ListT")  # what get_by_ids returns: a VectorList, or a coroutine giving one
ListingT = TypeVar("ListingT")  # what list_ids returns: an IdListing or an AsyncIdListing
PageT = TypeVar("PageT")  # what list_page returns: a Page, or a coroutine giving one
# Fetches one List Vectors page (count, cursor): a Page, or an awaitable of one (async).
FetchPage = Callable[[int, str | None], Any]


class ClientBase(Generic[StreamT, ListT, ListingT, PageT]):
    """Settings and the public calls common to Vectorize and AsyncVectorize.

    The calls are written once here; a client supplies its stream class (which drives
    the requests, on threads or as tasks) and `_collect`, which gathers a stream.
    """

    _stream_type: Callable[..., StreamT]

    def __init__(  # noqa: PLR0917 (the clients' own keyword arguments, in order)
        self,
        account_id: str | None,
        auth: Credential | None,
        base_url: str | None,
        allow_insecure_http: bool,
        timeout: float | Timeout,
        max_retries: int,
        max_concurrency: int,
        pacing: Pacing,
        max_response_bytes: int,
        clock: Callable[[], float],
    ) -> None:
        self._settings = resolve(
            account_id=account_id,
            auth=auth,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
        )
        self._timeout = as_timeout(timeout)
        self._retry = RetryPolicy(max_retries=check_count(max_retries, "max_retries", 0))
        self._default_settings = CallSettings(self._retry, self._timeout)  # most calls'
        self._max_concurrency = check_count(max_concurrency, "max_concurrency", 1)
        self._pacer = Pacer(pacing, clock=clock)  # checks pacing before the httpx client is made
        # The most bytes one response body may take, as sent and as decoded.
        self._max_response_bytes = check_count(max_response_bytes, "max_response_bytes", 1)
        # What every request is sent with: the credential, for the base URL's origin only.
        self._auth = BoundCredential(self._settings.auth, self._settings.base_url)
        # httpx request extensions of every request (set by _check_route).
        self._request_extensions: dict[str, Any] = {}
        self._urls: dict[str, httpx.URL] = {}  # see _absolute_url
        self._closed = False
        self._streams: weakref.WeakSet[Abortable] = weakref.WeakSet()

    @property
    def account_id(self) -> str:
        """The account whose indexes are read."""
        return self._settings.account_id

    @property
    def base_url(self) -> str:
        """The API base URL, such as https://api.cloudflare.com/client/v4."""
        return self._settings.base_url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_id={self.account_id!r}, "
            f"auth={self._settings.auth!r}, base_url={self.base_url!r})"
        )

    @property
    def _trust_env(self) -> bool:
        """Whether proxies and CA certificates come from the environment: for https only.

        Through a proxy an https request is a CONNECT tunnel, and the proxy sees no header;
        a plain-http request would show it the credential, so plain http (the stand-in on
        loopback, or an allow_insecure_http URL) always goes straight to its host.
        """
        return httpx.URL(self.base_url).scheme == "https"

    def _api_client_settings(self) -> tuple[str, bool, dict[str, Any], dict[str, Any]]:
        """Return what the generated low-level client is made with, besides the httpx client."""
        return self.base_url, self._owns_http, self._http_settings(), self._request_extensions

    def _http_settings(self) -> dict[str, Any]:
        """Return the settings of the httpx client a client makes for itself (but its transport)."""
        return {
            "auth": self._auth,
            "base_url": self.base_url,
            "timeout": self._timeout.for_httpx(),
            "headers": {"User-Agent": USER_AGENT},
            # Never follow: a redirect must not carry the credential to another host.
            "follow_redirects": False,
            "trust_env": self._trust_env,
        }

    def _http_client(
        self,
        given: HTTPClient | None,
        make: Callable[..., HTTPClient],
        transport: Transport | None,
        make_transport: Callable[..., Transport],
    ) -> HTTPClient:
        """Return the caller's httpx client if it is safe to use, else a new one of ours.

        Ours has the transport passed in, or one made here (make_transport) through the
        proxy the environment names for the base URL: httpx reads none for a client given a
        transport, so this is where the proxy is decided. What an unusable setting of the
        environment (proxies, SSL_CERT_FILE) raises becomes a ConfigurationError naming it.
        """
        self._owns_http = given is None  # a caller's client is theirs to close, not ours
        if given is not None:
            self._check_route(given, asynchronous=isinstance(given, httpx.AsyncClient))
            return given
        try:
            if transport is None:
                proxy = environment_proxy(self.base_url) if self._trust_env else None
                transport = make_transport(proxy=proxy, trust_env=self._trust_env)
            return make(transport=transport, **self._http_settings())
        except ImportError:  # the one import made here: socksio, for a SOCKS proxy
            raise ConfigurationError(
                f"a SOCKS proxy is set in {_PROXY_VARIABLES}, and httpx needs its socks extra "
                "for it: pip install 'httpx[socks]' (or unset the variable, or list the host "
                "in NO_PROXY)"
            ) from None
        except (ValueError, httpx.InvalidURL) as error:
            raise ConfigurationError(
                f"the proxy set in {_PROXY_VARIABLES} is not usable: {hide_userinfo(str(error))}"
            ) from None
        except OSError as error:  # ssl.SSLError included
            raise ConfigurationError(
                f"the CA certificates named by SSL_CERT_FILE / SSL_CERT_DIR cannot be loaded: "
                f"{error}"
            ) from None

    def _check_route(self, client: httpx.Client | httpx.AsyncClient, *, asynchronous: bool) -> None:
        """Refuse a caller's client that would send plain http through a proxy.

        httpx has no public way to ask a client for its routes: a proxy from the environment
        (the client's `trust_env`) is refused here; one the client was made with is refused
        by the first request, before it connects (`direct_only`).
        """
        if self._trust_env:
            return
        if client.trust_env and environment_proxy(self.base_url) is not None:
            raise ConfigurationError(
                f"the http_client given would send {self.base_url} (plain http) through a "
                "proxy, which would read the credential: use https, or make that client with "
                "trust_env=False (or no proxy for this host, NO_PROXY)"
            )
        self._request_extensions = {"trace": direct_only(self.base_url, asynchronous)}

    def iter_by_ids(
        self,
        index_name: str,
        ids: Iterable[str],
        *,
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
        deduplicate: bool = True,
        on_missing: Callable[[str], object] | None = None,
    ) -> StreamT:
        """Stream the vectors with these ids, in the order asked, each as soon as it is due.

        Returns a stream to iterate (`for`, or `async for` with AsyncVectorize) and to use
        as a context manager (`with` / `async with`). It yields the vectors found; its
        `missing_ids` names, as it goes, the ids not found, and `ids_done` counts the ids
        answered so far. Ids are drawn from `ids` as needed, duplicates skipped, and sent
        20 per request with at most `max_concurrency` requests in flight and at most
        2 x `max_concurrency` chunks held for ordering: memory stays flat whatever the
        number of ids, but for the set of ids seen, kept to drop duplicates (about 100
        bytes an id; `deduplicate=False` keeps nothing, for ids known to be unique: a
        repeated id is then fetched and yielded again). A collection of ids is checked
        whole before anything is sent; the ids of any other iterable (a generator, a
        file) are checked as they are drawn. `missing_ids` is the other record that grows,
        with the ids not found; `on_missing`, given, is called with each instead
        (`missing_ids` stays empty), on the iterating thread or task when the iteration
        reaches its place in the order asked, so that nothing is kept of them;
        `missing_count` counts them either way.

        `max_retries` and `timeout` (seconds or a Timeout) override the client's for this
        call. When a chunk fails for good nothing more is sent, the chunks before it still
        in flight are awaited and their vectors yielded, then the APIError is raised with
        `unfetched_ids`: that chunk's ids and every id drawn after them (at most the window
        and one chunk drawn ahead). The rest of `ids` is left undrawn, so that a failure
        costs no memory and an endless iterator ends: the error's `resume_from` is then
        the number of items taken from `ids` (duplicates included), else None (every id
        was drawn). To go on, fetch `unfetched_ids` and then `ids[resume_from:]` (a
        sequence) or the rest of the same iterator, e.g. `itertools.chain(
        error.unfetched_ids, ids[error.resume_from:])`; ids seen before the failure are
        not deduplicated against those. Leaving the loop through an exception (Ctrl-C
        included), `close()` / `aclose()`, leaving the `with` block, or dropping the
        stream (as after a `break`) cancels the chunks not yet sent; requests in flight
        are abandoned, never waited for.
        """
        return self._stream_type(
            self,
            index_name,
            ids,
            max_retries,
            timeout,
            deduplicate=deduplicate,
            on_missing=on_missing,
        )

    def get_by_ids(
        self,
        index_name: str,
        ids: Iterable[str],
        *,
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
    ) -> ListT:
        """Return the vectors with these ids, in the order asked, unknown ids left out.

        Any number of ids: duplicates are removed and chunks of at most 20 are sent, up to
        `max_concurrency` at once. The result's `missing_ids` names the ids not found.
        Raises an APIError subclass when any chunk fails for good; its `unfetched_ids`
        names every id not fetched (the ids are held whole anyway), `resume_from` is None.
        `max_retries` and `timeout` override the client's for this call. It collects
        `iter_by_ids` (all ids are checked first), so a large fetch is better streamed.
        With AsyncVectorize, await it.
        """
        unique = unique_id_keys(ids)  # checked and deduplicated once, here
        if len(unique) <= MAX_IDS_PER_REQUEST:
            # One request: sent on the caller's thread (or task) without the stream's plan,
            # threads or tasks, which cost more than the rest of a small call.
            self._check_open()
            index_name = check_index_name(index_name)
            settings = self._call_settings(max_retries, timeout)
            return self._fetch_one(index_name, list(unique), settings)
        stream = self._stream_type(
            self, index_name, unique, max_retries, timeout, deduplicate=False, checked=True
        )
        return self._collect(stream)

    def _fetch_one(self, index_name: str, ids: list[str], settings: CallSettings) -> ListT:
        """Fetch at most one request's worth of checked, distinct ids: what get_by_ids gives."""
        raise NotImplementedError

    def _collect(self, stream: StreamT) -> ListT:
        raise NotImplementedError

    def _call_settings(
        self, max_retries: int | None, timeout: float | Timeout | None
    ) -> CallSettings:
        """Return the retry policy and timeout of a call: the client's, unless overridden."""
        if max_retries is None and timeout is None:
            return self._default_settings
        policy = self._retry
        if max_retries is not None:
            policy = replace(policy, max_retries=check_count(max_retries, "max_retries", 0))
        return CallSettings(policy, self._timeout if timeout is None else as_timeout(timeout))

    def _get_by_ids_request(self, index_name: str, ids: list[str]) -> ApiRequest[list[Vector]]:
        """Return the get_by_ids request for these ids, built by the generated code."""
        request_kwargs, body_model = _get_by_ids_builders()
        kwargs = request_kwargs(self.account_id, index_name, body=body_model(ids=ids))
        kwargs["url"] = self._absolute_url(kwargs["url"])
        # Encoded here (with orjson when installed) rather than by httpx's json.dumps.
        kwargs["content"] = encode_json(kwargs.pop("json"))
        if self._request_extensions:
            kwargs["extensions"] = self._request_extensions
        # Only encodings the body reader inflates under the cap, whatever httpx could decode.
        kwargs["headers"]["Accept-Encoding"] = ACCEPT_ENCODING
        parse = functools.partial(vectors_from, asked=ids)
        return ApiRequest(f"get_by_ids {index_name} ({len(ids)} ids)", kwargs, parse)

    def list_ids(
        self,
        index_name: str,
        *,
        page_size: int = MAX_PAGE_SIZE,  # the fewest requests
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
    ) -> ListingT:
        """Return an iterator over the id of every vector in the index, page by page.

        List Vectors pages hold `page_size` ids (1 to 1000; 1000 takes the fewest requests)
        from the snapshot taken by the first page: vectors inserted later do not appear,
        vectors deleted later still do. Pages are fetched as the iterator is read, with this
        client's retries, pacing (the same budget as get_by_ids) and typed errors;
        `max_retries` and `timeout` override the client's for this call. A cursor that
        expires or is refused on the way starts a fresh listing, as Cloudflare's docs say,
        skipping the ids already yielded, so no id comes twice: by their order when the ids
        come sorted, else by checking that the fresh listing begins with the same ids (a
        ListingResumeError when it does not). The iterator's `total_count`, `ids_done`
        and `restarts` tell how far it got; `close()` stops it. Arguments are checked
        before anything is sent. With AsyncVectorize it is an async iterator (`async for`,
        `aclose()`), not awaited itself.
        """
        from ._listing import Listing  # noqa: PLC0415 - loaded by the first listing

        self._check_open()
        index_name = check_index_name(index_name)
        listing = Listing(page_size)
        self._call_settings(max_retries, timeout)  # checked now, not at the first page

        def fetch(count: int, cursor: str | None) -> Any:  # noqa: ANN401 - a Page, or its awaitable
            request = self._list_request(index_name, count, cursor)
            return self._request_once(request, max_retries, timeout)

        return self._listing_iterator(listing, fetch)

    def list_page(
        self,
        index_name: str,
        *,
        cursor: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
    ) -> PageT:
        """Return one page of List Vectors: the first (no `cursor`), or the one `cursor` names.

        For work that keeps its place itself, across processes (`cf-vectorize export`
        stores the cursor to resume); `list_ids` walks a whole listing. The page's `ids`,
        `total_count`, `next_cursor` (None on the last page) and `cursor_expires_at`. One
        request, with this client's retries, pacing and typed errors; an expired or refused
        cursor raises its APIStatusError (`cursor_refused(error)` in `cf_vectorize._listing`
        tells it apart): start again without a cursor. With AsyncVectorize, await it.
        """
        from ._listing import check_cursor, check_page_size  # noqa: PLC0415 - see list_ids

        self._check_open()
        index_name = check_index_name(index_name)
        request = self._list_request(index_name, check_page_size(page_size), check_cursor(cursor))
        return cast("PageT", self._request_once(request, max_retries, timeout))

    def _listing_iterator(self, listing: Listing, fetch: FetchPage) -> ListingT:
        raise NotImplementedError

    def _request_once(
        self, request: ApiRequest[Any], max_retries: int | None, timeout: float | Timeout | None
    ) -> Any:  # noqa: ANN401 - the answer, or an awaitable of it (async)
        raise NotImplementedError

    def _list_request(self, index_name: str, count: int, cursor: str | None) -> ApiRequest[Page]:
        """Return the List Vectors request of one page, built by the generated code."""
        from cf_vectorize_api.api.vectorize import vectorize_list_vectors  # noqa: PLC0415
        from cf_vectorize_api.types import UNSET  # noqa: PLC0415

        from ._listing import page_from  # noqa: PLC0415 - loaded by the first listing

        kwargs = vectorize_list_vectors.request_kwargs(
            self.account_id, index_name, count=count, cursor=UNSET if cursor is None else cursor
        )
        kwargs["url"] = self._absolute_url(kwargs["url"])
        if self._request_extensions:
            kwargs["extensions"] = self._request_extensions
        page = "a next page" if cursor is not None else "the first page"
        return ApiRequest(f"list-vectors {index_name} ({page} of {count})", kwargs, page_from)

    def _absolute_url(self, path: str) -> httpx.URL:
        """Return the URL of an API path (relative to the base URL), parsed once per path.

        Parsing a URL is a fifth of httpx's work for a small request; the paths a client
        sends to are few (one per index and operation), so they are kept, a bounded number.
        """
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= MAX_KEPT_URLS:
                self._urls.clear()
            url = self._urls[path] = httpx.URL(self.base_url + path)
        return url

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(f"this {type(self).__name__} is closed; make a new one")

    def _is_closed(self) -> bool:
        return self._closed

    def _mark_closed(self) -> None:
        """Refuse new calls, and end the calls in flight with ClientClosedError."""
        self._closed = True
        for stream in list(self._streams):
            stream._abort()


@functools.cache
def _get_by_ids_builders() -> tuple[Callable[..., dict[str, Any]], type[GetVectorsByIdRequest]]:
    """Return the generated request builder and body model of get_by_ids, imported once.

    Imported by the first request, not at the top: the generated package (and attrs) load
    then, so that `import cf_vectorize` stays cheap. Not a `from … import` in the method:
    on a package that runs importlib's Python code with every request.
    """
    from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id  # noqa: PLC0415
    from cf_vectorize_api.models import GetVectorsByIdRequest  # noqa: PLC0415

    return vectorize_get_vectors_by_id.request_kwargs, GetVectorsByIdRequest


class Cancelled(Exception):
    """The fetch a request belonged to was closed: the request is not sent."""


class StreamBase:
    """What the sync and async streams of iter_by_ids share: the plan and what it found."""

    def __init__(
        self,
        client: ClientBase[Any, Any, Any, Any],
        index_name: str,
        ids: Iterable[str],
        max_retries: int | None,
        timeout: float | Timeout | None,
        *,
        deduplicate: bool = True,
        checked: bool = False,
        on_missing: Callable[[str], object] | None = None,
    ) -> None:
        self._prepare(client)
        client._check_open()
        self._index_name = check_index_name(index_name)
        self._settings = client._call_settings(max_retries, timeout)
        # checked: distinct ids get_by_ids holds whole and has checked already, not checked
        # twice; a failure names every one not fetched. Else the ids are drawn as needed, and
        # a failure leaves the rest undrawn (drawn says where the caller resumes).
        concurrency = client._max_concurrency
        if checked:
            self._plan = Plan(iter(ids), concurrency=concurrency)
        else:
            drawn = Drawn()
            unique = iter_unique_ids(ids, deduplicate=deduplicate, drawn=drawn)
            self._plan = Plan(unique, concurrency=concurrency, drawn=drawn, on_missing=on_missing)
        self._make_request = client._get_by_ids_request
        client._streams.add(self)

    @property
    def missing_ids(self) -> tuple[str, ...]:
        """The ids asked for and not found so far, in the order asked (none with on_missing)."""
        return tuple(self._plan.missing_ids)

    @property
    def missing_count(self) -> int:
        """How many ids asked for were not found so far (with or without on_missing)."""
        return self._plan.missing_count

    @property
    def ids_done(self) -> int:
        """How many distinct ids have been answered so far (found or missing)."""
        return self._plan.ids_done

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._index_name!r}: {self.ids_done} ids done, "
            f"{self._plan.missing_count} missing, {self._plan.in_flight} chunks in flight>"
        )

    def _request(self, chunk: Chunk) -> ApiRequest[list[Vector]]:
        return self._make_request(self._index_name, chunk.ids)

    @contextmanager
    def _cancelled_on_error(self) -> Iterator[None]:
        """Cancel what is in flight when anything, an interrupt included, ends the wait."""
        try:
            yield
        except BaseException:
            self._abandon()
            raise

    def _item(self, item: Vector | object, end: type[Exception]) -> Vector:
        if item is END:
            self._abandon()
            raise end
        return item  # type: ignore[return-value]  # the plan gives a Vector, WAIT or END

    def _prepare(self, client: Any) -> None:  # noqa: ANN401 (each stream takes its own client)
        """Set up what the driver needs, before anything can fail or be dropped."""
        raise NotImplementedError

    def _abort(self) -> None:
        """End the consumer's wait with ClientClosedError: the client is closing."""
        raise NotImplementedError

    def _abandon(self) -> None:
        """Stop: cancel what is in flight, start nothing more."""
        raise NotImplementedError

    def __del__(self) -> None:
        # A stream dropped unfinished (a `break`, an exception) cancels what it started.
        with suppress(Exception):
            self._abandon()
