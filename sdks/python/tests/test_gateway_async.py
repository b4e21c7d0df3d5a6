"""AsyncPromptgate against a real Promptgate gateway (started by test/python-sdk.e2e-spec.ts)."""

from __future__ import annotations

import asyncio
import threading
import unittest
from typing import List

import _support
from _support import API_KEY, GATEWAY_URL, TIMEOUT, RecordingProxy, Registry, eventually, gateway_json, live, unique_key

from promptgate import AsyncPromptgate, GatewayUnavailableError, PromptgateError, PromptNotFoundError, PromptTypeError


@live
class AsyncGatewayTest(unittest.IsolatedAsyncioTestCase):
    async def test_serves_text_and_chat_prompts_and_pinned_versions(self) -> None:
        async with AsyncPromptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT) as pg:
            self.assertEqual(await pg.serve("py.greeting", {"name": "Zoë & Co", "company": "a=b"}), "Hello Zoë & Co, this is a=b support.")
            self.assertEqual(await pg.serve("py.pinned", {"name": "Ada"}, version=1), "Version one for Ada")
            prompt = await pg.get_prompt("py.chat")
            variables = {"company": "Acme", "language": "German", "question": "Wo?"}
            history = [{"role": "user", "content": "{{question}} stays"}]
            served = await asyncio.to_thread(gateway_json, "py.chat", {"variables": variables, "placeholders": {"history": history}})
            self.assertEqual(prompt.compile(variables, {"history": history}), served["messages"])
            with self.assertRaises(PromptTypeError):
                await pg.serve("py.chat")
            with self.assertRaises(PromptNotFoundError):
                await pg.serve("py.pinned", version=42)

    async def test_shares_one_request_among_concurrent_calls_and_keeps_the_loop_running(self) -> None:
        key = unique_key("async-burst")
        await asyncio.to_thread(Registry().live_prompt, key, "Async burst for {{name}}")
        proxy = RecordingProxy(GATEWAY_URL)
        self.addCleanup(proxy.stop)
        async with AsyncPromptgate(API_KEY, proxy.url, timeout=TIMEOUT) as pg:
            proxy.hold()
            # Released by a thread, not by the loop: a blocking SDK would stop the ticker meanwhile.
            release = threading.Timer(0.6, proxy.release)
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            beat = asyncio.ensure_future(ticker())
            calls = asyncio.gather(*(pg.serve_json(key, {"name": "Ada"}) for _ in range(25)))
            release.start()
            served = await calls
            beat.cancel()
            self.assertGreaterEqual(ticks, 5)
            self.assertEqual(proxy.count, 1)
            self.assertEqual({(s.content, s.source) for s in served}, {("Async burst for Ada", "network")})
            self.assertEqual((await pg.serve_json(key, {"name": "Ada"})).source, "cache")
            self.assertEqual(proxy.count, 1)

    async def test_revalidates_with_a_304_then_serves_stale_once_the_gateway_is_gone(self) -> None:
        proxy = RecordingProxy(GATEWAY_URL)
        self.addCleanup(proxy.stop)
        errors: List[PromptgateError] = []
        async with AsyncPromptgate(API_KEY, proxy.url, cache_ttl=1.0, timeout=TIMEOUT, on_error=lambda e, k: errors.append(e)) as pg:
            good = await pg.serve_json("py.greeting", {"name": "Ada"})
            await asyncio.sleep(1.05)
            self.assertEqual((await pg.serve_json("py.greeting", {"name": "Ada"})).source, "stale")

            async def fresh_again() -> bool:
                return (await pg.serve_json("py.greeting", {"name": "Ada"})).source == "cache"

            await eventually(fresh_again)
            self.assertEqual([(e.if_none_match, e.status) for e in proxy.answered()], [(None, 200), (proxy.exchanges[0].etag, 304)])
            await asyncio.to_thread(proxy.stop)
            await asyncio.sleep(1.05)
            stale = await pg.serve_json("py.greeting", {"name": "Ada"})
            self.assertEqual((stale.content, stale.source, stale.stale), (good.content, "stale", True))

            async def reported() -> bool:
                return len(errors) == 1

            await eventually(reported)
            self.assertIsInstance(errors[0], GatewayUnavailableError)
            self.assertEqual(await pg.serve("py.greeting", {"name": "Bob"}, fallback="Offline {{name}}"), "Offline Bob")
            with self.assertRaises(GatewayUnavailableError):
                await pg.serve("py.greeting", {"name": "Bob"})


_ = _support

if __name__ == "__main__":
    unittest.main()
