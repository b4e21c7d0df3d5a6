"""The cache rules against a scripted local gateway (no Promptgate server needed): each answer the
real gateway can give, on demand, and every request counted."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import _support
from _support import eventually, serve_locally, until, url_of, write_answer

from promptgate import (
    AsyncPromptgate,
    AuthenticationError,
    GatewayTimeoutError,
    GatewayUnavailableError,
    InvalidRequestError,
    Promptgate,
    PromptgateError,
    PromptNotFoundError,
    PromptTypeError,
    RateLimitedError,
)


class ScriptedGateway:
    """Answers /v1/serve/:key like the gateway, from ``prompts``; ``failure`` makes every answer one error."""

    def __init__(self) -> None:
        self.prompts: Dict[str, Dict[str, Any]] = {}
        self.requests: List[Tuple[str, str, Optional[str]]] = []
        self.failure: Optional[Tuple[int, Dict[str, str], bytes]] = None
        self.gate = threading.Event()
        self.gate.set()
        self.lock = threading.Lock()
        self.server = serve_locally(self.answer)
        self.url = url_of(self.server)

    def stop(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def text(self, key: str, content: str, version: int = 1, config: Optional[Dict[str, Any]] = None) -> None:
        self.prompts[key] = {"type": "text", "content": content, "messages": None, "version": version, "config": config or {}}

    def chat(self, key: str, messages: List[Dict[str, str]], version: int = 1) -> None:
        self.prompts[key] = {"type": "chat", "content": None, "messages": messages, "version": version, "config": {"model": "m"}}

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else {}
        with self.lock:
            self.requests.append((handler.command, handler.path, handler.headers.get("If-None-Match")))
        self.gate.wait(60)
        if self.failure is not None:
            status, headers, data = self.failure
            return self.send(handler, status, headers, data)
        parts = urlsplit(handler.path)
        key = parts.path.rsplit("/", 1)[-1]
        query = parse_qs(parts.query)
        prompt = self.prompts.get(key)
        if prompt is None:
            return self.send(handler, 404, {}, b'{"error":{"code":"prompt_not_found","message":"No prompt."}}')
        version = prompt["version"]
        if "version" in query and int(query["version"][0]) != version:
            return self.send(handler, 404, {}, b'{"error":{"code":"version_not_found","message":"No version."}}')
        values = dict(item.split("=", 1) for item in query.get("vars", []))
        values.update(body.get("variables", {}))
        content = prompt["content"]
        if content is not None:
            for name, value in values.items():
                content = content.replace("{{" + name + "}}", value)
        etag = f'"{key}-{version}-{abs(hash(content))}"'
        if handler.headers.get("If-None-Match") == etag:
            return self.send(handler, 304, {"etag": etag}, b"")
        answer = {**prompt, "key": key, "content": content, "unfilled_variables": [], "unfilled_placeholders": []}
        self.send(handler, 200, {"etag": etag, "content-type": "application/json"}, json.dumps(answer).encode())

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, headers: Dict[str, str], data: bytes) -> None:
        try:
            write_answer(handler, status, headers.items(), data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a client that timed out and left


SERVER_ERROR = (500, {}, b'{"error":{"code":"internal_error","message":"boom"}}')


class SyncCacheTest(unittest.TestCase):
    def setUp(self) -> None:
        self.gw = ScriptedGateway()
        self.addCleanup(self.gw.stop)
        self.errors: List[PromptgateError] = []
        self.gw.text("greet", "Hello {{name}}")

    def client(self, cache_ttl: float = 30.0, timeout: float = 10.0, **options: Any) -> Promptgate:
        return Promptgate("pg_test_key", self.gw.url, cache_ttl, timeout, on_error=lambda e, k: self.errors.append(e), **options)

    def test_answers_from_memory_within_the_ttl(self) -> None:
        pg = self.client()
        self.assertEqual(pg.serve_json("greet", {"name": "Ada"}).source, "network")
        for _ in range(5):
            self.assertEqual(pg.serve_json("greet", {"name": "Ada"}).source, "cache")
        self.assertEqual(self.gw.count, 1)
        self.assertEqual(pg.serve("greet", {"name": "Bob"}), "Hello Bob")
        self.assertEqual(self.gw.count, 2)

    def test_serves_an_expired_answer_at_once_and_revalidates_in_the_background(self) -> None:
        # A TTL long enough that the polls below see the renewed answer fresh, however slow the machine.
        pg = self.client(cache_ttl=1.0)
        first = pg.serve_json("greet")
        time.sleep(1.05)
        self.gw.gate.clear()  # the revalidation waits: the caller must not
        stale = pg.serve_json("greet")
        self.assertEqual((stale.source, stale.stale, stale.content), ("stale", True, first.content))
        until(lambda: self.gw.count == 2)
        self.gw.gate.set()
        until(lambda: pg.serve_json("greet").source == "cache", what="a 304 making the answer fresh")
        self.assertIsNotNone(self.gw.requests[1][2])  # If-None-Match
        self.assertEqual(self.gw.count, 2)
        self.gw.text("greet", "Hi {{name}}", version=2)
        time.sleep(1.05)
        until(lambda: pg.serve_json("greet").version == 2, what="the new version replacing the cached one")

    def test_shares_one_request_among_concurrent_callers(self) -> None:
        pg = self.client()
        self.gw.gate.clear()
        results: List[str] = []
        threads = [threading.Thread(target=lambda: results.append(pg.serve_json("greet", {"name": "Ada"}).source)) for _ in range(10)]
        for t in threads:
            t.start()
        until(lambda: self.gw.count == 1)
        time.sleep(0.3)  # lets the threads reach the shared request
        self.gw.gate.set()
        for t in threads:
            t.join(10)
        self.assertEqual(self.gw.count, 1)
        # Those that waited got the shared answer; one that came later (a slow machine) the cached one.
        self.assertEqual(len(results), 10)
        self.assertLessEqual(set(results), {"network", "cache"})
        self.assertGreaterEqual(results.count("network"), 2)

    def test_keeps_the_last_good_answer_through_5xx_and_pauses_retries(self) -> None:
        pg = self.client(cache_ttl=1.0)
        good = pg.serve_json("greet", {"name": "Ada"})
        self.gw.failure = SERVER_ERROR
        time.sleep(1.05)
        self.assertEqual(pg.serve_json("greet", {"name": "Ada"}).content, good.content)
        until(lambda: len(self.errors) == 1)
        self.assertIsInstance(self.errors[0], GatewayUnavailableError)
        self.assertEqual((self.errors[0].status, self.errors[0].code), (500, "internal_error"))
        # After a failed revalidation the next waits min(cache_ttl, 1 s): these calls send nothing.
        for _ in range(5):
            self.assertEqual(pg.serve_json("greet", {"name": "Ada"}).source, "stale")
        self.assertEqual(self.gw.count, 2)
        # Nothing cached for these variables: the fallback, else the error.
        self.assertEqual(pg.serve_json("greet", {"name": "Bob"}, fallback="Hard-coded {{name}}").as_dict(), {
            "key": "greet", "version": None, "content": "Hard-coded Bob", "unfilled_variables": [], "stale": True, "source": "fallback",
        })
        with self.assertRaises(GatewayUnavailableError):
            pg.serve("greet", {"name": "Bob"})

    def test_a_gateway_that_does_not_answer_in_time(self) -> None:
        pg = self.client(timeout=0.3)
        self.gw.gate.clear()
        with self.assertRaises(GatewayTimeoutError) as raised:
            pg.serve("greet")
        self.assertEqual((raised.exception.status, raised.exception.code), (None, "timeout"))
        self.assertEqual(pg.serve("greet", fallback="later"), "later")

    def test_a_revoked_key_drops_the_whole_cache(self) -> None:
        pg = self.client(cache_ttl=0.05)
        self.gw.text("other", "Other")
        pg.serve("greet")
        pg.serve("other")
        self.gw.failure = (401, {}, b'{"error":{"code":"invalid_api_key","message":"no"}}')
        time.sleep(0.1)
        pg.serve("greet")  # the call that starts the revalidation still gets the old value
        until(lambda: len(self.errors) == 1)
        self.assertIsInstance(self.errors[0], AuthenticationError)
        with self.assertRaises(AuthenticationError):
            pg.serve("other")
        self.assertEqual(pg.serve("greet", fallback="hard-coded"), "hard-coded")

    def test_a_removed_prompt_drops_its_entry(self) -> None:
        pg = self.client(cache_ttl=0.05)
        pg.serve("greet")
        del self.gw.prompts["greet"]
        time.sleep(0.1)
        pg.serve("greet")
        until(lambda: len(self.errors) == 1)
        with self.assertRaises(PromptNotFoundError) as raised:
            pg.serve("greet")
        self.assertEqual((raised.exception.status, raised.exception.code), (404, "prompt_not_found"))

    def test_rate_limited_with_retry_after_in_seconds(self) -> None:
        pg = self.client(cache_ttl=0.05)
        pg.serve("greet")
        self.gw.failure = (429, {"retry-after": "2"}, b'{"error":{"code":"rate_limited","message":"slow down"}}')
        with self.assertRaises(RateLimitedError) as raised:
            pg.serve("greet", {"name": "Bob"})
        self.assertEqual(raised.exception.retry_after, 2.0)
        time.sleep(0.1)
        self.assertEqual(pg.serve_json("greet").source, "stale")
        until(lambda: len(self.errors) == 2)
        for _ in range(3):
            pg.serve("greet")
        self.assertEqual(self.gw.count, 3)  # paused for retry-after

    def test_other_refusals_and_answers_that_are_not_prompts(self) -> None:
        pg = self.client()
        self.gw.failure = (400, {}, b'{"error":{"code":"validation_failed","message":"bad"}}')
        with self.assertRaises(InvalidRequestError):
            pg.serve("greet")
        self.gw.failure = (200, {"content-type": "text/html"}, b"<html>proxy error</html>")
        with self.assertRaises(GatewayUnavailableError) as raised:
            pg.serve("greet")
        self.assertEqual(raised.exception.code, "malformed_answer")
        self.gw.failure = (422, {}, b'{"error":{"code":"rendered_too_large","message":"big"}}')
        with self.assertRaises(PromptgateError) as too_large:
            pg.serve("greet")
        self.assertEqual((too_large.exception.status, too_large.exception.code), (422, "rendered_too_large"))
        self.assertEqual(pg.serve("greet", fallback="fb"), "fb")

    def test_pinned_versions_never_expire(self) -> None:
        pg = self.client(cache_ttl=0)
        self.assertEqual(pg.serve_json("greet", version=1).source, "network")
        self.assertEqual(pg.serve_json("greet", version=1).source, "cache")
        self.assertEqual(pg.serve_json("greet").source, "network")
        self.assertEqual(pg.serve_json("greet").source, "stale")  # cache_ttl=0: revalidated on every call

    def test_serve_of_a_chat_prompt_is_a_type_error_and_get_prompt_serves_it(self) -> None:
        self.gw.chat("chat", [{"role": "system", "content": "Hi {{name}}"}, {"role": "placeholder", "name": "history"}])
        pg = self.client()
        with self.assertRaises(PromptTypeError):
            pg.serve("chat")
        prompt = pg.get_prompt("chat")
        self.assertEqual((prompt.type, prompt.version, prompt.config, prompt.source), ("chat", 1, {"model": "m"}, "cache"))
        self.assertEqual(prompt.compile({"name": "Ada"}, {"history": []}), [{"role": "system", "content": "Hi Ada"}])

    def test_the_least_recently_used_entry_goes_first(self) -> None:
        pg = self.client(max_cache_entries=2)
        for name in ("a", "b", "a", "c", "a", "b"):
            pg.serve("greet", {"name": name})
        # a, b, (a hit), c evicts b, (a hit), b again: 4 requests
        self.assertEqual(self.gw.count, 4)

    def test_an_on_error_that_raises_is_ignored(self) -> None:
        def broken(error: PromptgateError, key: str) -> None:
            raise RuntimeError("callback bug")

        pg = Promptgate("pg_test_key", self.gw.url, on_error=broken)
        self.gw.failure = SERVER_ERROR
        self.assertEqual(pg.serve("greet", fallback="fb"), "fb")


class AsyncCacheTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.gw = ScriptedGateway()
        self.gw.text("greet", "Hello {{name}}")

    async def asyncTearDown(self) -> None:
        # Off the loop: shutting the server down waits for its polling thread.
        await asyncio.to_thread(self.gw.stop)

    async def test_shares_one_request_and_never_blocks_the_loop(self) -> None:
        async with AsyncPromptgate("pg_test_key", self.gw.url) as pg:
            self.gw.gate.clear()
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0.01)

            # Released by a thread, not by the loop: a blocking client would stop the ticker meanwhile.
            release = threading.Timer(0.6, self.gw.gate.set)
            beat = asyncio.ensure_future(ticker())
            calls = asyncio.gather(*(pg.serve_json("greet", {"name": "Ada"}) for _ in range(20)))
            release.start()
            served = await calls
            beat.cancel()
            self.assertGreaterEqual(ticks, 5)
            self.assertEqual(self.gw.count, 1)
            self.assertEqual({(s.content, s.source) for s in served}, {("Hello Ada", "network")})

    async def test_stale_while_revalidating_then_stale_if_error_then_fallback(self) -> None:
        errors: List[PromptgateError] = []
        async with AsyncPromptgate("pg_test_key", self.gw.url, cache_ttl=1.0, on_error=lambda e, k: errors.append(e)) as pg:
            good = await pg.serve_json("greet")
            await asyncio.sleep(1.05)
            self.assertEqual((await pg.serve_json("greet")).source, "stale")

            async def fresh_again() -> bool:
                return self.gw.count >= 2 and (await pg.serve_json("greet")).source == "cache"

            await eventually(fresh_again)
            self.assertEqual(self.gw.count, 2)
            self.assertIsNotNone(self.gw.requests[1][2])
            await asyncio.to_thread(self.gw.stop)
            await asyncio.sleep(1.05)
            self.assertEqual((await pg.serve_json("greet")).content, good.content)

            async def reported() -> bool:
                return bool(errors)

            await eventually(reported)
            self.assertEqual(errors[0].code, "network_error")
            self.assertEqual(await pg.serve("greet", {"name": "Bob"}, fallback="fb {{name}}"), "fb Bob")
            with self.assertRaises(GatewayUnavailableError):
                await pg.serve("greet", {"name": "Bob"})

    async def test_a_timeout_bounds_the_whole_request(self) -> None:
        async with AsyncPromptgate("pg_test_key", self.gw.url, timeout=0.3) as pg:
            self.gw.gate.clear()
            with self.assertRaises(GatewayTimeoutError):
                await pg.serve("greet")
            self.gw.gate.set()

    async def test_a_cancelled_caller_does_not_cancel_the_shared_request(self) -> None:
        async with AsyncPromptgate("pg_test_key", self.gw.url) as pg:
            self.gw.gate.clear()
            first = asyncio.ensure_future(pg.serve("greet"))

            async def sent() -> bool:
                return self.gw.count == 1

            await eventually(sent)
            first.cancel()
            second = asyncio.ensure_future(pg.serve_json("greet"))
            await asyncio.sleep(0.05)
            self.gw.gate.set()
            self.assertEqual((await second).source, "network")
            self.assertEqual(self.gw.count, 1)
            self.assertEqual((await pg.serve_json("greet")).source, "cache")


_ = _support  # imported for its sys.path setup

if __name__ == "__main__":
    unittest.main()
