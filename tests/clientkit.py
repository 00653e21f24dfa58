"""Helpers for driving Vectorize and AsyncVectorize over httpx.MockTransport, without sleeping."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from cf_vectorize import ApiToken, AsyncVectorize, Vectorize, VectorizeError, VectorList

ACCOUNT = "0123456789abcdef0123456789abcdef"
TOKEN = "tok_live_0123456789ABCDEFGHIJKLMNOPQRSTUV"  # must never show up anywhere
Answer = Callable[[httpx.Request, list[str]], httpx.Response]


def vector(vector_id: str, values: Iterable[float] = (0.25, -1.5)) -> dict[str, Any]:
    return {"id": vector_id, "values": list(values), "metadata": {"n": len(vector_id)}}


def envelope(result: list[dict[str, Any]]) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


def failure(status: int, code: int, message: str, **headers: str) -> httpx.Response:
    body = {"success": False, "errors": [{"code": code, "message": message}], "messages": []}
    body["result"] = None
    return httpx.Response(status, json=body, headers=headers)


def found(unknown: Iterable[str] = ()) -> Answer:
    """Answer with a vector for every asked id except the unknown ones, in reverse order."""
    missing = set(unknown)

    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        return httpx.Response(
            200, json=envelope([vector(i) for i in reversed(ids) if i not in missing])
        )

    return answer


@dataclass
class Server:
    """A MockTransport handler that records requests and answers them in turn."""

    answers: list[Answer]
    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        return answer(request, json.loads(request.content)["ids"])

    @property
    def bodies(self) -> list[list[str]]:
        return [json.loads(r.content)["ids"] for r in self.requests]


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should be sent, but {request.method} {request.url} was")


@dataclass
class Runner:
    """Runs get_by_ids through the sync or the async client with the same arguments."""

    kind: str
    slept: list[float] = field(default_factory=list)

    def get(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        index: str,
        ids: Iterable[str],
        call: dict[str, Any] | None = None,
        **client: Any,
    ) -> VectorList:
        kwargs = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None, **client}
        transport = httpx.MockTransport(handler)
        if self.kind == "sync":
            with Vectorize(transport=transport, sleep=self.slept.append, **kwargs) as sync:
                return sync.get_by_ids(index, ids, **(call or {}))

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        async def run() -> VectorList:
            async with AsyncVectorize(transport=transport, sleep=sleep, **kwargs) as client:
                return await client.get_by_ids(index, ids, **(call or {}))

        return asyncio.run(run())


@dataclass
class Streamed:
    """What iterating iter_by_ids gave: the vectors, missing_ids after each, and the error."""

    ids: list[str] = field(default_factory=list)
    missing_seen: list[tuple[str, ...]] = field(default_factory=list)
    missing_ids: tuple[str, ...] = ()
    ids_done: int = 0
    error: BaseException | None = None


def iterate(
    runner: Runner,
    handler: Callable[[httpx.Request], httpx.Response],
    ids: Iterable[str],
    take: int | None = None,
    call: dict[str, Any] | None = None,
    **client: Any,
) -> Streamed:
    """Iterate iter_by_ids of runner's kind, leaving after `take` vectors when given."""
    kwargs = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None, **client}
    transport = httpx.MockTransport(handler)
    seen = Streamed()

    def note(vector_id: str, stream: Any) -> bool:
        seen.ids.append(vector_id)
        seen.missing_seen.append(stream.missing_ids)
        return take is not None and len(seen.ids) >= take

    def finish(stream: Any) -> Streamed:
        seen.missing_ids, seen.ids_done = stream.missing_ids, stream.ids_done
        return seen

    if runner.kind == "sync":
        with Vectorize(transport=transport, sleep=runner.slept.append, **kwargs) as sync:
            stream = sync.iter_by_ids("my-index", ids, **(call or {}))
            try:
                for vector in stream:
                    if note(vector.id, stream):
                        break
            except VectorizeError as error:
                seen.error = error
            return finish(stream)

    async def sleep(seconds: float) -> None:
        runner.slept.append(seconds)

    async def run() -> Streamed:
        async with AsyncVectorize(transport=transport, sleep=sleep, **kwargs) as client:
            stream = client.iter_by_ids("my-index", ids, **(call or {}))
            try:
                async with stream:
                    async for vector in stream:
                        if note(vector.id, stream):
                            break
            except VectorizeError as error:
                seen.error = error
            return finish(stream)

    return asyncio.run(run())
