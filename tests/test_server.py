"""The stand-in server over HTTP: answers, errors, limits and concurrency.

Each get_by_ids answer is also checked against openapi.yaml by openapi-core, and error
bodies Cloudflare was seen sending are compared with tests/fixtures/responses.json.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from typing import Any

import httpx
import pytest
from openapi_core.validation.response.exceptions import InvalidData

from cf_vectorize.server import Credentials, StandInServer
from cf_vectorize_api import AuthenticatedClient, Client
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import (
    ErrorResponse,
    GetVectorsByIdRequest,
    GetVectorsByIdResponse,
)
from tests._spec_check import validate_exchange
from tests.conftest import response_cases

TOKEN = "test-token-0123456789"
EMAIL = "user@example.com"
KEY = "test-global-key-abcdef"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def _sample() -> dict[str, dict[str, Any]]:
    """The bundled sample index, read here independently of the server's loader."""
    text = resources.files("cf_vectorize").joinpath("data", "sample.ndjson").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {record["id"]: record for record in records}


SAMPLE = _sample()
SAMPLE_IDS = list(SAMPLE)


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    with StandInServer(credentials=Credentials(token=TOKEN, email=EMAIL, key=KEY)) as running:
        yield running


@pytest.fixture
def http(server: StandInServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def _url(index: str = "sample", account: str = ACCOUNT) -> str:
    return f"/accounts/{account}/vectorize/v2/indexes/{index}/get_by_ids"


def _post(
    http: httpx.Client,
    ids: Any,
    *,
    headers: dict[str, str] | None = None,
    index: str = "sample",
    account: str = ACCOUNT,
) -> httpx.Response:
    return http.post(
        _url(index, account), json={"ids": ids}, headers=BEARER if headers is None else headers
    )


def _error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    assert body["success"] is False
    assert body["result"] is None
    assert body["messages"] == []
    assert len(body["errors"]) == 1
    return response.status_code, body["errors"][0]["code"], body["errors"][0]["message"]


def _seen(name: str) -> tuple[int, dict[str, Any]]:
    case = response_cases()[name]
    return case["status"], case["body"]


# --- success --------------------------------------------------------------------------


def test_found_vectors_are_returned_as_stored(http: httpx.Client) -> None:
    asked = ["img-002", "doc-001", "faq-003", "img-001"]
    response = _post(http, asked)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cf-ray"].endswith("-LCL")
    body = response.json()
    assert (body["success"], body["errors"], body["messages"]) == (True, [], [])
    by_id = {vector["id"]: vector for vector in body["result"]}
    assert by_id == {i: SAMPLE[i] for i in asked}
    validate_exchange(response)


def test_namespace_and_metadata_appear_only_when_set(http: httpx.Client) -> None:
    result = _post(http, ["doc-001", "faq-001", "img-001", "img-002"]).json()["result"]
    by_id = {vector["id"]: vector for vector in result}
    assert "namespace" not in by_id["doc-001"]
    assert by_id["faq-001"]["namespace"] == SAMPLE["faq-001"]["namespace"]
    assert "metadata" not in by_id["img-001"]
    assert "metadata" not in by_id["img-002"]
    assert by_id["img-002"]["namespace"] == SAMPLE["img-002"]["namespace"]


def test_result_follows_index_order_not_request_order(http: httpx.Client) -> None:
    asked = list(reversed(SAMPLE_IDS[:5]))
    result = _post(http, asked).json()["result"]
    assert [vector["id"] for vector in result] == SAMPLE_IDS[:5]


def test_unknown_ids_are_left_out(http: httpx.Client) -> None:
    response = _post(http, ["nope-1", "doc-002", "nope-2"])
    assert response.status_code == 200
    assert [vector["id"] for vector in response.json()["result"]] == ["doc-002"]
    validate_exchange(response)


def test_nothing_found_is_an_empty_success(http: httpx.Client) -> None:
    response = _post(http, ["nope-1", "nope-2"])
    assert (response.status_code, response.json()) == _seen("ok-nothing-found")
    validate_exchange(response)


def test_repeated_ids_come_back_once(http: httpx.Client) -> None:
    result = _post(http, ["doc-003", "doc-003", "doc-003"]).json()["result"]
    assert [vector["id"] for vector in result] == ["doc-003"]


def test_twenty_ids_is_allowed(http: httpx.Client) -> None:
    asked = SAMPLE_IDS + [f"missing-{n}" for n in range(20 - len(SAMPLE_IDS))]
    assert len(asked) == 20
    response = _post(http, asked)
    assert response.status_code == 200
    assert len(response.json()["result"]) == len(SAMPLE_IDS)
    validate_exchange(response)


def test_any_account_id_is_accepted_by_default(http: httpx.Client) -> None:
    assert _post(http, ["doc-001"], account="another-account").status_code == 200


# --- the 20-id limit and bodies -------------------------------------------------------


def test_twenty_one_ids_is_refused_with_40007(http: httpx.Client) -> None:
    response = _post(http, [f"id-{n}" for n in range(21)])
    assert (response.status_code, response.json()) == _seen("too-many-ids")
    validate_exchange(response)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "the body is not valid JSON"),
        (b'{"ids": ["a"', "the body is not valid JSON"),
        (b"\xff\xfe", "the body is not valid JSON"),
        (b'["a"]', "the body must be a JSON object"),
        (b"{}", "ids is required"),
        (b'{"ids": "a"}', "ids must be an array of strings"),
        (b'{"ids": []}', "ids must hold at least one id"),
        (b'{"ids": ["a", 1]}', "ids[1] must be a non-empty string"),
        (b'{"ids": [""]}', "ids[0] must be a non-empty string"),
        (b'{"ids": ["' + b"x" * 65 + b'"]}', "ids[0] is over 64 bytes"),
    ],
)
def test_malformed_bodies_get_a_cloudflare_shaped_400(
    http: httpx.Client, body: bytes, detail: str
) -> None:
    response = http.post(
        _url(), content=body, headers={**BEARER, "Content-Type": "application/json"}
    )
    assert _error(response) == (400, 40001, f"invalid payload: {detail}")
    validate_exchange(response)


def test_a_body_over_the_limit_gets_413_and_the_connection_closes() -> None:
    credentials = Credentials(token=TOKEN)
    with (
        StandInServer(credentials=credentials, max_body_bytes=100) as small,
        httpx.Client(base_url=small.base_url, timeout=10) as http,
    ):
        response = http.post(_url(), content=b"x" * 101, headers=BEARER)
        assert _error(response) == (413, 10413, "request body is larger than 100 bytes")
        assert response.headers["connection"] == "close"
        # The same client goes on working on a new connection.
        assert _post(http, ["doc-001"]).status_code == 200


def test_a_chunked_body_gets_411(server: StandInServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"ids": ["doc-001"]}'

    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        response = http.post(_url(), content=chunks(), headers=BEARER)
    assert _error(response) == (411, 10411, "Content-Length header is required")


# --- index, routes, methods -----------------------------------------------------------


def test_an_unknown_index_gets_3000(http: httpx.Client) -> None:
    response = _post(http, ["doc-001"], index="missing-index")
    assert (response.status_code, response.json()) == _seen("index-not-found")
    validate_exchange(response)


def test_an_invalid_index_name_is_not_found_either(http: httpx.Client) -> None:
    response = _post(http, ["doc-001"], index="Not_Valid")
    assert _error(response) == (404, 3000, 'vectorize.index.not_found - Index name "Not_Valid"')


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/a/vectorize/v2/indexes/sample/query",
        "/accounts/a/vectorize/v1/indexes/sample/get_by_ids",
        "/accounts",
        f"/accounts/{'a' * 33}/vectorize/v2/indexes/sample/get_by_ids",
    ],
)
def test_unknown_routes_get_7003(http: httpx.Client, path: str) -> None:
    response = http.post(path, json={"ids": ["doc-001"]}, headers=BEARER)
    assert _error(response) == (404, 7003, "No route for that URI")


def test_a_path_outside_client_v4_gets_7003(server: StandInServer) -> None:
    root = server.base_url.removesuffix("/client/v4")
    response = httpx.get(f"{root}/", timeout=10)
    assert _error(response) == (404, 7003, "No route for that URI")


@pytest.mark.parametrize(
    "method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY", "BREW"]
)
def test_other_methods_get_405(http: httpx.Client, method: str) -> None:
    response = http.request(method, _url(), headers=BEARER)
    assert _error(response) == (405, 10405, "Method not allowed")
    assert response.headers["allow"] == "POST"


def test_head_gets_405_headers_without_a_body(http: httpx.Client) -> None:
    response = http.head(_url(), headers=BEARER)
    assert response.status_code == 405
    assert response.content == b""


# --- credentials ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {TOKEN}"},
        {"Authorization": f"bearer   {TOKEN}"},
        {"X-Auth-Email": EMAIL, "X-Auth-Key": KEY},
        {"X-Auth-Email": EMAIL.upper(), "X-Auth-Key": KEY},
    ],
)
def test_good_credentials_of_both_kinds_are_accepted(
    http: httpx.Client, headers: dict[str, str]
) -> None:
    response = _post(http, ["doc-001"], headers=headers)
    assert response.status_code == 200
    validate_exchange(response)


def test_no_credentials_get_the_missing_header_error(http: httpx.Client) -> None:
    response = _post(http, ["doc-001"], headers={})
    assert (response.status_code, response.json()) == _seen("missing-authorization-header")
    validate_exchange(response)


@pytest.mark.parametrize(
    "value", [TOKEN, f"Token {TOKEN}", "Bearer", f"Bearer {TOKEN} extra", "Basic eA=="]
)
def test_a_malformed_authorization_header_gets_6003_6111(http: httpx.Client, value: str) -> None:
    response = _post(http, ["doc-001"], headers={"Authorization": value})
    assert (response.status_code, response.json()) == _seen("bad-authorization-header")
    validate_exchange(response)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"X-Auth-Email": EMAIL, "X-Auth-Key": "wrong-key"},
        {"X-Auth-Email": "other@example.com", "X-Auth-Key": KEY},
        # Authorization is looked at first: good email and key do not rescue a wrong token.
        {"Authorization": "Bearer wrong-token", "X-Auth-Email": EMAIL, "X-Auth-Key": KEY},
    ],
)
def test_wrong_credentials_get_401_10000(http: httpx.Client, headers: dict[str, str]) -> None:
    response = _post(http, ["doc-001"], headers=headers)
    assert (response.status_code, response.json()) == _seen("authentication-error")
    validate_exchange(response)


@pytest.mark.parametrize(
    ("headers", "chained"),
    [
        ({"X-Auth-Email": EMAIL}, (6103, "Invalid format for X-Auth-Key header")),
        ({"X-Auth-Key": KEY}, (6102, "Invalid format for X-Auth-Email header")),
        (
            {"X-Auth-Email": "", "X-Auth-Key": KEY},
            (6102, "Invalid format for X-Auth-Email header"),
        ),
    ],
)
def test_half_a_key_pair_gets_6003(
    http: httpx.Client, headers: dict[str, str], chained: tuple[int, str]
) -> None:
    response = _post(http, ["doc-001"], headers=headers)
    assert _error(response) == (400, 6003, "Invalid request headers")
    chain = response.json()["errors"][0]["error_chain"]
    assert [(item["code"], item["message"]) for item in chain] == [chained]
    validate_exchange(response)


def test_a_token_only_server_refuses_an_email_and_key() -> None:
    with (
        StandInServer(credentials=Credentials(token=TOKEN)) as token_only,
        httpx.Client(base_url=token_only.base_url, timeout=10) as http,
    ):
        response = _post(http, ["doc-001"], headers={"X-Auth-Email": EMAIL, "X-Auth-Key": KEY})
        assert _error(response) == (401, 10000, "Authentication error")
        assert _post(http, ["doc-001"]).status_code == 200


def test_a_server_for_one_account_refuses_others_with_403() -> None:
    with (
        StandInServer(credentials=Credentials(token=TOKEN), account_id=ACCOUNT) as one,
        httpx.Client(base_url=one.base_url, timeout=10) as http,
    ):
        assert _post(http, ["doc-001"], account=ACCOUNT).status_code == 200
        response = _post(http, ["doc-001"], account="0" * 32)
        assert _error(response) == (403, 10000, "Authentication error")
        validate_exchange(response)


def test_a_random_token_is_made_when_none_is_given() -> None:
    with StandInServer() as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        token = server.credentials.token
        assert token is not None
        assert len(token) >= 32
        ok = _post(http, ["doc-001"], headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert _post(http, ["doc-001"]).status_code == 401
    with StandInServer() as other:
        assert other.credentials.token != token


def test_secrets_stay_out_of_reprs(server: StandInServer) -> None:
    for text in (repr(server), repr(server.credentials)):
        assert TOKEN not in text
        assert KEY not in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give a token, or an email and a key"),
        ({"email": EMAIL}, "an email and a key go together"),
        ({"key": KEY}, "an email and a key go together"),
        ({"token": ""}, "the token must be non-empty"),
        ({"token": "a b"}, "the token must be non-empty and hold no spaces"),
    ],
)
def test_credentials_are_checked(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Credentials(**kwargs)


# --- the spec check itself ------------------------------------------------------------


def test_the_spec_check_catches_a_response_the_spec_does_not_allow(http: httpx.Client) -> None:
    response = _post(http, ["doc-001"])
    validate_exchange(response)
    with pytest.raises(InvalidData):
        validate_exchange(
            response,
            body=b'{"success": true, "errors": [], "messages": [], "result": [{"id": "doc-001"}]}',
        )


# --- the raw generated client ---------------------------------------------------------


def test_generated_client_reads_a_success(server: StandInServer) -> None:
    client = AuthenticatedClient(base_url=server.base_url, token=TOKEN)
    parsed = vectorize_get_vectors_by_id.sync(
        ACCOUNT, "sample", client=client, body=GetVectorsByIdRequest(ids=["faq-002", "img-001"])
    )
    assert isinstance(parsed, GetVectorsByIdResponse)
    by_id = {vector.id: vector for vector in parsed.result}
    assert set(by_id) == {"faq-002", "img-001"}
    assert by_id["faq-002"].namespace == SAMPLE["faq-002"]["namespace"]
    assert by_id["faq-002"].values == SAMPLE["faq-002"]["values"]
    assert by_id["img-001"].namespace is None
    assert by_id["img-001"].metadata is None


def test_generated_client_gets_a_typed_40007(server: StandInServer) -> None:
    client = AuthenticatedClient(base_url=server.base_url, token=TOKEN)
    response = vectorize_get_vectors_by_id.sync_detailed(
        ACCOUNT,
        "sample",
        client=client,
        body=GetVectorsByIdRequest(ids=[f"id-{n}" for n in range(21)]),
    )
    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)
    assert [(e.code, e.message) for e in response.parsed.errors] == [
        (40007, "too many ids in payload; max id count is 20")
    ]


def test_generated_client_with_an_email_and_key(server: StandInServer) -> None:
    client = Client(base_url=server.base_url, headers={"X-Auth-Email": EMAIL, "X-Auth-Key": KEY})
    parsed = vectorize_get_vectors_by_id.sync(
        ACCOUNT, "sample", client=client, body=GetVectorsByIdRequest(ids=["doc-004"])
    )
    assert isinstance(parsed, GetVectorsByIdResponse)
    assert [vector.id for vector in parsed.result] == ["doc-004"]


def test_generated_client_gets_a_typed_3000(server: StandInServer) -> None:
    client = AuthenticatedClient(base_url=server.base_url, token=TOKEN)
    response = vectorize_get_vectors_by_id.sync_detailed(
        ACCOUNT, "nowhere", client=client, body=GetVectorsByIdRequest(ids=["a"])
    )
    assert response.status_code == 404
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.errors[0].code == 3000


# --- connections ----------------------------------------------------------------------


def test_concurrent_clients_all_get_their_own_answers(server: StandInServer) -> None:
    threads, per_thread = 16, 20
    failures: list[str] = []
    done = []

    def worker(n: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            for m in range(per_thread):
                asked = [SAMPLE_IDS[(n + m) % len(SAMPLE_IDS)], f"missing-{n}-{m}"]
                response = _post(http, asked)
                got = [vector["id"] for vector in response.json()["result"]]
                if response.status_code != 200 or got != asked[:1]:
                    failures.append(f"{n}/{m}: {response.status_code} {got}")
                done.append(1)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert failures == []
    assert len(done) == threads * per_thread


def test_a_silent_connection_is_closed_by_the_server() -> None:
    with StandInServer(credentials=Credentials(token=TOKEN), timeout=0.2) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as silent:
            assert silent.recv(1024) == b""
        # A body that never arrives in full: a 408 in the envelope, then the close.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
            slow.sendall(
                f"POST /client/v4{_url()} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}"
                "\r\nContent-Length: 50\r\n\r\n{".encode()
            )
            received = b""
            while chunk := slow.recv(1024):
                received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 ")
            assert json.loads(body)["errors"][0]["code"] == 10408
        # Still serving.
        assert (
            httpx.post(
                server.base_url + _url(), json={"ids": ["doc-001"]}, headers=BEARER, timeout=10
            ).status_code
            == 200
        )


def test_stop_releases_the_port() -> None:
    server = StandInServer(credentials=Credentials(token=TOKEN))
    server.start()
    port = server.port
    server.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_stop_closes_open_connections_at_once() -> None:
    """A keep-alive connection left open by a test must not outlive its stand-in."""
    server = StandInServer(credentials=Credentials(token=TOKEN), timeout=60)
    server.start()
    before = {t for t in threading.enumerate() if t.name.startswith("Thread-")}
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        assert client.post(_url(), json={"ids": ["doc-001"]}, headers=BEARER).status_code == 200
        server.stop()  # the client's pooled connection and the idle one are both open
        with idle:
            assert idle.recv(1024) == b""  # closed, not left to the 60 s timeout
    for _ in range(100):
        if not {t for t in threading.enumerate() if t.name.startswith("Thread-")} - before:
            break
        time.sleep(0.02)
    assert not {t for t in threading.enumerate() if t.name.startswith("Thread-")} - before
