"""Transcribed Cloudflare responses replayed, network blocked, through both layers.

The generated functions (sync and async) must read every cassette into the models the
fixtures describe; Vectorize / AsyncVectorize must turn them into vectors in the order
asked, or into the typed error carrying Cloudflare's codes, and retry a 429.
Expected values come from the fixtures the cassettes were transcribed from.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cf_vectorize import (
    APIStatusError,
    ApiToken,
    AsyncVectorize,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    Vectorize,
    VectorList,
)
from cf_vectorize_api import AuthenticatedClient
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import (
    ErrorResponse,
    GetVectorsByIdRequest,
    GetVectorsByIdResponse,
)
from cf_vectorize_api.types import Response
from scripts.transcribe_cassettes import (
    BATCH_IDS,
    CASSETTES,
    CASSETTES_DIR,
    DOC_IDS,
    REPLAY_DIR,
    Cassette,
    Exchange,
    load_cases,
    status_of,
)
from tests.conftest import ACCOUNT_ID

BASE_URL = "https://api.cloudflare.com/client/v4"
FAKE_TOKEN = "fake-token-for-replay"  # never sent anywhere: replay only
CASES = load_cases()
REPLAYED = {
    cassette.path.removeprefix(f"{REPLAY_DIR}/").removesuffix(".yaml"): cassette
    for cassette in CASSETTES
    if cassette.path.startswith(f"{REPLAY_DIR}/")
}


def replaying(name: str) -> Any:
    """Parameter for a test replaying cassette `name` of tests/cassettes/test_cassette_replay/."""
    marks = [pytest.mark.vcr, pytest.mark.default_cassette(f"{name}.yaml")]
    return pytest.param(REPLAYED[name], marks=marks, id=name)


def all_replayed() -> list[Any]:
    return [replaying(name) for name in REPLAYED]


def expected_body(exchange: Exchange) -> dict[str, Any]:
    body: dict[str, Any] = CASES[exchange.case].body()
    return body


def api_client() -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE_URL, token=FAKE_TOKEN)


def request(exchange: Exchange) -> GetVectorsByIdRequest:
    return GetVectorsByIdRequest(ids=list(exchange.ids))


def check_parsed(
    response: Response[GetVectorsByIdResponse | ErrorResponse], exchange: Exchange
) -> None:
    """The generated layer's reading of one answer equals the fixture's body."""
    assert response.status_code == status_of(exchange, CASES[exchange.case])
    expected = expected_body(exchange)
    if expected["success"]:
        assert isinstance(response.parsed, GetVectorsByIdResponse)
        assert [vector.to_dict() for vector in response.parsed.result] == expected["result"]
    else:
        assert isinstance(response.parsed, ErrorResponse)
        assert [item.to_dict() for item in response.parsed.errors] == expected["errors"]
        assert response.parsed.result is None


# --- the generated functions, every cassette ------------------------------------------


@pytest.mark.parametrize("cassette", all_replayed())
def test_generated_sync_reads_every_cassette(cassette: Cassette, vcr: Any) -> None:
    with api_client() as client:
        for exchange in cassette.exchanges:
            response = vectorize_get_vectors_by_id.sync_detailed(
                ACCOUNT_ID, exchange.index, client=client, body=request(exchange)
            )
            check_parsed(response, exchange)
    assert vcr.all_played and vcr.play_count == len(cassette.exchanges)


@pytest.mark.parametrize("cassette", all_replayed())
@pytest.mark.asyncio
async def test_generated_async_reads_every_cassette(cassette: Cassette, vcr: Any) -> None:
    async with api_client() as client:
        for exchange in cassette.exchanges:
            response = await vectorize_get_vectors_by_id.asyncio_detailed(
                ACCOUNT_ID, exchange.index, client=client, body=request(exchange)
            )
            check_parsed(response, exchange)
    assert vcr.all_played and vcr.play_count == len(cassette.exchanges)


def test_the_generated_layer_reads_exponent_notation_as_written() -> None:
    """The cassette holds the notations themselves, not floats json.dumps rewrote."""
    text = (CASSETTES_DIR / REPLAYED["exponent_values"].path).read_text()
    for literal in ("1.5e-07", "-2.25E+3", "-1.0E-10", "6.02e+23", "1E0", "2.5e-3"):
        assert literal in text


# --- the wrapper: answers ---------------------------------------------------------------


def sync_client(**kwargs: Any) -> Vectorize:
    # vcrpy replays through httpx's own transport classes only, not DeadlineTransport.
    settings: dict[str, Any] = {"account_id": ACCOUNT_ID, "auth": ApiToken(FAKE_TOKEN)}
    settings |= {"pacing": None}
    return Vectorize(**settings | {"transport": httpx.HTTPTransport()} | kwargs)


def async_client(**kwargs: Any) -> AsyncVectorize:
    return AsyncVectorize(account_id=ACCOUNT_ID, auth=ApiToken(FAKE_TOKEN), pacing=None, **kwargs)


def asked(cassette: Cassette) -> tuple[str, list[str]]:
    """The index and every id the cassette's requests ask for, in order."""
    return cassette.exchanges[0].index, [i for e in cassette.exchanges for i in e.ids]


def check_vectors(result: VectorList, cassette: Cassette) -> None:
    """Vectors in the order asked, equal to the fixtures' bodies; the others named missing."""
    found = {
        vector["id"]: vector
        for exchange in cassette.exchanges
        for vector in expected_body(exchange)["result"]
    }
    _, ids = asked(cassette)
    assert isinstance(result, VectorList)
    assert [vector.to_dict() for vector in result] == [found[i] for i in ids if i in found]
    assert result.missing_ids == tuple(i for i in ids if i not in found)


SUCCESSES = ["ok_doc_example", "ok_nothing_found", "exponent_values", "some_ids_missing"]


@pytest.mark.parametrize("cassette", [replaying(name) for name in SUCCESSES])
def test_vectorize_reads_answers(cassette: Cassette, vcr: Any) -> None:
    index, ids = asked(cassette)
    with sync_client() as client:
        check_vectors(client.get_by_ids(index, ids), cassette)
    assert vcr.all_played


@pytest.mark.parametrize("cassette", [replaying(name) for name in SUCCESSES])
@pytest.mark.asyncio
async def test_async_vectorize_reads_answers(cassette: Cassette, vcr: Any) -> None:
    index, ids = asked(cassette)
    async with async_client() as client:
        check_vectors(await client.get_by_ids(index, ids), cassette)
    assert vcr.all_played


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
def test_vectorize_reads_the_documented_example() -> None:
    with sync_client() as client:
        first, second = client.get_by_ids("example-index", DOC_IDS)
    assert (first.id, second.id) == DOC_IDS
    assert first.values == [0.812, 0.621, 0.261]
    assert first.metadata == {"another-key": "another-value", "customer-id": 442}
    assert first.namespace is None
    assert second.namespace == "namespaced"


@pytest.mark.vcr
@pytest.mark.default_cassette("exponent_values.yaml")
def test_vectorize_reads_exponent_notation_and_nested_metadata() -> None:
    with sync_client() as client:
        small, namespaced, plain = client.get_by_ids(
            "example-index", ["exp-small", "exp-namespaced", "exp-plain"]
        )
    assert small.values[:2] == [1.5e-07, -2250.0]
    assert small.values[3:] == [1e-45, 3.4028235e38]
    assert isinstance(small.metadata, dict)
    assert small.metadata["source"]["page"] == {"number": 3, "ratio": 0.0025}
    assert small.metadata["reviewer"] is None and small.metadata["published"] is True
    assert namespaced.values[:2] == [-1e-10, 6.02e23]
    assert namespaced.namespace == "tenant-7"
    assert isinstance(namespaced.metadata, dict)
    assert namespaced.metadata["nested"]["deeper"]["deepest"][2] == -4.5e-05
    assert plain.values == [1.0, -0.75, 12.345678]
    assert plain.metadata == {}


@pytest.mark.vcr
@pytest.mark.default_cassette("some_ids_missing.yaml")
def test_vectorize_names_the_ids_not_found() -> None:
    with sync_client() as client:
        result = client.get_by_ids("example-index", ["doc-1", "missing-1", "doc-2", "missing-2"])
    assert [vector.id for vector in result] == ["doc-1", "doc-2"]  # the order asked
    assert result.missing_ids == ("missing-1", "missing-2")


# --- the wrapper: a 45-id call is three requests ----------------------------------------

BATCH_MISSING = ("item-07", "item-31", "item-44")  # left out by the constructed answers


def check_batch(result: VectorList) -> None:
    assert [vector.id for vector in result] == [i for i in BATCH_IDS if i not in BATCH_MISSING]
    assert result.missing_ids == BATCH_MISSING
    check_vectors(result, REPLAYED["batched_45_ids"])


@pytest.mark.vcr
@pytest.mark.default_cassette("batched_45_ids.yaml")
@pytest.mark.parametrize("concurrency", [1, 3])
def test_vectorize_batches_45_ids_into_three_requests(concurrency: int, vcr: Any) -> None:
    """Each request matches by its body, so the chunks may be sent in any order."""
    with sync_client(max_concurrency=concurrency) as client:
        check_batch(client.get_by_ids("example-index", BATCH_IDS))
    assert vcr.play_count == 3 and vcr.all_played


@pytest.mark.vcr
@pytest.mark.default_cassette("batched_45_ids.yaml")
@pytest.mark.asyncio
async def test_async_vectorize_batches_45_ids_into_three_requests(vcr: Any) -> None:
    async with async_client() as client:
        check_batch(await client.get_by_ids("example-index", BATCH_IDS))
    assert vcr.play_count == 3 and vcr.all_played


# --- the wrapper: failures ----------------------------------------------------------------

FAILURES = {
    "bad_authorization_header": BadRequestError,
    "missing_authorization_header": BadRequestError,
    "authentication_error": AuthenticationError,
    "index_not_found": NotFoundError,
    "index_not_found_400": NotFoundError,  # code 3000 means not found whatever the status
    "rate_limited_then_ok": RateLimitError,  # without retries, the first answer is final
}


def failure_class(cassette: Cassette) -> type[APIStatusError]:
    return FAILURES[cassette.path.split("/")[-1].removesuffix(".yaml")]


def check_error(error: APIStatusError, cassette: Cassette) -> None:
    exchange = cassette.exchanges[0]
    expected = expected_body(exchange)["errors"]
    assert error.status_code == status_of(exchange, CASES[exchange.case])
    assert error.codes == [item["code"] for item in expected]
    assert [item.to_dict() for item in error.errors] == expected
    assert error.unfetched_ids == exchange.ids
    assert FAKE_TOKEN not in str(error) and FAKE_TOKEN not in repr(error)


@pytest.mark.parametrize("cassette", [replaying(name) for name in FAILURES])
def test_vectorize_raises_the_typed_error(cassette: Cassette) -> None:
    first = cassette.exchanges[0]
    with sync_client(max_retries=0) as client, pytest.raises(failure_class(cassette)) as caught:
        client.get_by_ids(first.index, first.ids)
    check_error(caught.value, cassette)


@pytest.mark.parametrize("cassette", [replaying(name) for name in FAILURES])
@pytest.mark.asyncio
async def test_async_vectorize_raises_the_typed_error(cassette: Cassette) -> None:
    first = cassette.exchanges[0]
    async with async_client(max_retries=0) as client:
        with pytest.raises(failure_class(cassette)) as caught:
            await client.get_by_ids(first.index, first.ids)
    check_error(caught.value, cassette)


@pytest.mark.vcr
@pytest.mark.default_cassette("bad_authorization_header.yaml")
def test_bad_authorization_header_carries_its_error_chain() -> None:
    with sync_client() as client, pytest.raises(BadRequestError) as caught:
        client.get_by_ids("example-index", DOC_IDS)
    error = caught.value
    assert error.codes == [6003]
    chain = error.errors[0].error_chain
    assert chain is not None
    assert [(item.code, item.message) for item in chain] == [
        (6111, "Invalid format for Authorization header")
    ]
    assert "[6003] Invalid request headers <- [6111]" in str(error)


@pytest.mark.vcr
@pytest.mark.default_cassette("rate_limited_then_ok.yaml")
def test_rate_limit_is_retried_after_the_wait_cloudflare_asks() -> None:
    """The cassette holds the same request twice: vcrpy plays the 429 first, then the 200."""
    waits: list[float] = []
    with sync_client(max_retries=1, sleep=waits.append) as client:
        result = client.get_by_ids("example-index", DOC_IDS)
    assert waits == [1.0]  # Retry-After: 1
    check_vectors(result, REPLAYED["ok_doc_example"])


@pytest.mark.vcr
@pytest.mark.default_cassette("rate_limited_then_ok.yaml")
@pytest.mark.asyncio
async def test_async_rate_limit_is_retried_after_the_wait_cloudflare_asks() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with async_client(max_retries=1, sleep=sleep) as client:
        result = await client.get_by_ids("example-index", DOC_IDS)
    assert waits == [1.0]
    check_vectors(result, REPLAYED["ok_doc_example"])


@pytest.mark.vcr
@pytest.mark.default_cassette("rate_limited_then_ok.yaml")
def test_rate_limit_error_reports_retry_after() -> None:
    with sync_client(max_retries=0) as client, pytest.raises(RateLimitError) as caught:
        client.get_by_ids("example-index", DOC_IDS)
    assert caught.value.retry_after == 1.0
    assert caught.value.codes == [10100]


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
def test_a_real_looking_account_id_is_scrubbed_before_matching() -> None:
    """vcr_config's request scrubbing runs on live requests too: the placeholder matches."""
    real_looking = "0123456789abcdef0123456789abcdef"
    with sync_client(account_id=real_looking) as client:
        check_vectors(client.get_by_ids("example-index", DOC_IDS), REPLAYED["ok_doc_example"])
