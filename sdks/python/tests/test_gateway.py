"""The blocking client against a real Promptgate gateway (started by test/python-sdk.e2e-spec.ts).

Requests are counted by a recording proxy between the SDK and the gateway: what the SDK really
sent, not what a mock answered. Stopping that proxy is the gateway going away, as the SDK sees it.
"""

from __future__ import annotations

import threading
import time
import unittest
from typing import List

import _support
from _support import (
    API_KEY,
    CONTROL_URL,
    DOOMED_URL,
    GATEWAY_URL,
    LIMITED_API_KEY,
    TIMEOUT,
    RecordingProxy,
    Registry,
    call,
    gateway_json,
    live,
    unique_key,
    until,
    wait_until_served,
)

from promptgate import (
    AuthenticationError,
    ChatPrompt,
    GatewayTimeoutError,
    GatewayUnavailableError,
    Promptgate,
    PromptgateError,
    PromptNotFoundError,
    PromptTypeError,
    RateLimitedError,
)

HISTORY = [{"role": "user", "content": "Where is my order {{company}}?"}, {"role": "assistant", "content": "On its way & soon = now."}]


@live
class GatewayTest(unittest.TestCase):
    registry: Registry

    @classmethod
    def setUpClass(cls) -> None:
        cls.registry = Registry()

    def proxy(self) -> RecordingProxy:
        proxy = RecordingProxy(GATEWAY_URL)
        self.addCleanup(proxy.stop)
        return proxy

    def test_serves_a_text_prompt_with_its_variables(self) -> None:
        pg = Promptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT)
        self.assertEqual(pg.serve("py.greeting", {"name": "Ada", "company": "Acme"}), "Hello Ada, this is Acme support.")
        served = pg.serve_json("py.greeting", {"name": "Ada"})
        self.assertEqual(served.as_dict(), {
            "key": "py.greeting", "version": 1, "content": "Hello Ada, this is {{company}} support.",
            "unfilled_variables": ["company"], "stale": False, "source": "network",
        })

    def test_serves_variables_with_spaces_ampersands_equals_and_unicode(self) -> None:
        proxy = self.proxy()
        pg = Promptgate(API_KEY, proxy.url, timeout=TIMEOUT)
        cases = [
            ("Ada Lovelace", "Acme & Co"),
            ("a=b&c=d", "vars=company=Evil"),
            ("Zoë 🚀 日本語", "Ünïcödé GmbH"),
            ("100% + more?#/\\", "  padded  "),
            ("{{company}}", ""),
        ]
        for name, company in cases:
            self.assertEqual(pg.serve("py.greeting", {"name": name, "company": company}), f"Hello {name}, this is {company} support.")
        # Each went in the query string, one GET each.
        self.assertEqual([e.method for e in proxy.exchanges], ["GET"] * len(cases))
        long = "é & = ? " * 400
        self.assertEqual(pg.serve("py.greeting", {"name": long, "company": "Acme"}), f"Hello {long}, this is Acme support.")
        self.assertEqual(proxy.exchanges[-1].method, "POST")

    def test_chat_prompt_get_prompt_and_compile_with_placeholders(self) -> None:
        pg = Promptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT)
        prompt = pg.get_prompt("py.chat")
        self.assertIsInstance(prompt, ChatPrompt)
        self.assertEqual((prompt.key, prompt.type, prompt.version, prompt.content), ("py.chat", "chat", 1, None))
        self.assertEqual(prompt.config, {"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 300})
        self.assertEqual(prompt.variables, ["company", "language", "question"])
        self.assertEqual(prompt.placeholders, ["history"])
        variables = {"company": "Acme & Co", "language": "French", "question": "Refund = yes?"}
        compiled = prompt.compile(variables, {"history": HISTORY})
        self.assertEqual(compiled, [
            {"role": "system", "content": "You are the support agent of Acme & Co. Answer in French."},
            *HISTORY,  # inserted as they are: {{company}} stays
            {"role": "user", "content": "Refund = yes?"},
        ])
        # The gateway fills the same placeholders the same way.
        self.assertEqual(gateway_json("py.chat", {"variables": variables, "placeholders": {"history": HISTORY}})["messages"], compiled)
        self.assertEqual(prompt.compile({"company": "Acme"})[1], {"role": "placeholder", "name": "history"})
        with self.assertRaises(PromptTypeError) as raised:
            pg.serve("py.chat")
        self.assertEqual(raised.exception.code, "prompt_type_mismatch")

    def test_pinned_versions_are_served_and_cached_without_a_ttl(self) -> None:
        proxy = self.proxy()
        pg = Promptgate(API_KEY, proxy.url, cache_ttl=0.01, timeout=TIMEOUT)
        self.assertEqual(pg.serve("py.pinned", {"name": "Ada"}), "Version two for Ada")
        pinned = pg.serve_json("py.pinned", {"name": "Ada"}, version=1)
        self.assertEqual((pinned.version, pinned.content, pinned.source), (1, "Version one for Ada", "network"))
        time.sleep(0.05)
        self.assertEqual(pg.serve_json("py.pinned", {"name": "Ada"}, version=1).source, "cache")
        self.assertEqual(pg.get_prompt("py.pinned", version=1).compile({"name": "Bob"}), "Version one for Bob")
        count = proxy.count
        self.assertEqual(pg.get_prompt("py.pinned", version=1).source, "cache")
        self.assertEqual(proxy.count, count)
        with self.assertRaises(PromptNotFoundError) as raised:
            pg.serve("py.pinned", version=99)
        self.assertEqual((raised.exception.status, raised.exception.code), (404, "version_not_found"))

    def test_refusals_are_typed_errors(self) -> None:
        pg = Promptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT)
        with self.assertRaises(PromptNotFoundError) as missing:
            pg.serve(unique_key("missing"))
        self.assertEqual(missing.exception.code, "prompt_not_found")
        with self.assertRaises(AuthenticationError) as refused:
            Promptgate("pg_live_notakey", GATEWAY_URL, timeout=TIMEOUT).serve("py.greeting")
        self.assertEqual((refused.exception.status, refused.exception.code), (401, "invalid_api_key"))
        self.assertNotIn("pg_live_notakey", str(refused.exception))
        self.assertIsInstance(refused.exception, PromptgateError)

    def test_answers_from_its_cache_without_a_request_within_the_ttl(self) -> None:
        key = unique_key("cached")
        prompt_id = self.registry.live_prompt(key, "Cached v1 for {{name}}")
        proxy = self.proxy()
        pg = Promptgate(API_KEY, proxy.url, cache_ttl=60, timeout=TIMEOUT)
        first = pg.serve_json(key, {"name": "Ada"})
        self.assertEqual((first.version, first.source), (1, "network"))
        self.registry.ship(prompt_id, "Cached v2 for {{name}}")
        wait_until_served(key, 2)
        for _ in range(5):
            served = pg.serve_json(key, {"name": "Ada"})
            self.assertEqual((served.content, served.source), ("Cached v1 for Ada", "cache"))
        self.assertEqual(proxy.count, 1)
        self.assertEqual(pg.serve(key, {"name": "Bob"}), "Cached v2 for Bob")
        self.assertEqual(proxy.count, 2)

    def test_revalidates_after_the_ttl_with_if_none_match_and_a_304(self) -> None:
        key = unique_key("revalidated")
        prompt_id = self.registry.live_prompt(key, "Revalidated v1 for {{name}}")
        proxy = self.proxy()
        # A TTL long enough that the polls below see the renewed answer fresh, however slow the machine.
        pg = Promptgate(API_KEY, proxy.url, cache_ttl=1.0, timeout=TIMEOUT)
        self.assertEqual(pg.serve_json(key, {"name": "Ada"}).source, "network")
        time.sleep(1.05)
        stale = pg.serve_json(key, {"name": "Ada"})
        self.assertEqual((stale.version, stale.content, stale.source, stale.stale), (1, "Revalidated v1 for Ada", "stale", True))
        until(lambda: len(proxy.answered()) == 2, what="the background revalidation")
        first, second = proxy.exchanges[:2]
        self.assertTrue(first.etag)
        self.assertEqual((second.if_none_match, second.status), (first.etag, 304))
        until(lambda: pg.serve_json(key, {"name": "Ada"}).source == "cache", what="the 304 making it fresh")
        self.assertEqual(proxy.count, 2)
        self.registry.ship(prompt_id, "Revalidated v2 for {{name}}")
        wait_until_served(key, 2)
        until(lambda: pg.serve_json(key, {"name": "Ada"}).version == 2, what="the new version reaching the SDK")
        self.assertEqual(pg.serve(key, {"name": "Ada"}), "Revalidated v2 for Ada")
        last = proxy.answered()[-1]
        self.assertEqual((last.if_none_match, last.status), (first.etag, 200))

    @unittest.skipUnless(DOOMED_URL and CONTROL_URL, "needs a gateway the test may stop: PROMPTGATE_TEST_DOOMED_URL and PROMPTGATE_TEST_CONTROL_URL")
    def test_keeps_serving_the_last_good_answer_once_the_real_gateway_is_stopped(self) -> None:
        errors: List[PromptgateError] = []
        pg = Promptgate(API_KEY, DOOMED_URL, cache_ttl=0.2, timeout=TIMEOUT, on_error=lambda e, k: errors.append(e))
        good = pg.serve_json("py.greeting", {"name": "Ada", "company": "Acme"})
        chat = pg.get_prompt("py.chat")
        status, _, _ = call("POST", f"{CONTROL_URL}/gateways/doomed/stop")
        self.assertEqual(status, 204)
        with self.assertRaises(GatewayUnavailableError):
            Promptgate(API_KEY, DOOMED_URL, timeout=TIMEOUT).serve("py.greeting")  # it is gone
        time.sleep(0.25)
        stale = pg.serve_json("py.greeting", {"name": "Ada", "company": "Acme"})
        self.assertEqual((stale.content, stale.version, stale.source, stale.stale), (good.content, 1, "stale", True))
        until(lambda: len(errors) == 1, what="the failed revalidation being reported")
        self.assertEqual((type(errors[0]), errors[0].status, errors[0].code), (GatewayUnavailableError, None, "network_error"))
        self.assertEqual(pg.serve("py.greeting", {"name": "Ada", "company": "Acme"}, fallback="never used"), good.content)
        self.assertEqual(pg.get_prompt("py.chat", fallback="never used").messages, chat.messages)
        self.assertEqual(pg.serve("py.greeting", {"name": "Bob"}, fallback="Hard-coded for {{name}}"), "Hard-coded for Bob")
        with self.assertRaises(GatewayUnavailableError):
            pg.serve("py.greeting", {"name": "Bob"})

    @unittest.skipUnless(LIMITED_API_KEY, "needs an API key limited to 1 request a minute: PROMPTGATE_TEST_LIMITED_API_KEY")
    def test_a_rate_limited_key_is_answered_from_the_cache_else_the_fallback_else_rate_limited_error(self) -> None:
        pg = Promptgate(LIMITED_API_KEY, GATEWAY_URL, cache_ttl=0.1, timeout=TIMEOUT)
        good = pg.serve_json("py.greeting", {"name": "Ada"})
        with self.assertRaises(RateLimitedError) as raised:
            pg.serve("py.greeting", {"name": "Bob"})
        self.assertEqual((raised.exception.status, raised.exception.code), (429, "rate_limited"))
        self.assertIsNotNone(raised.exception.retry_after)
        self.assertGreater(raised.exception.retry_after or 0, 0)
        self.assertEqual(pg.serve_json("py.greeting", {"name": "Bob"}, fallback="busy").source, "fallback")
        time.sleep(0.15)
        stale = pg.serve_json("py.greeting", {"name": "Ada"})
        self.assertEqual((stale.content, stale.source), (good.content, "stale"))

    def test_keeps_serving_the_last_good_answer_once_the_proxy_in_front_is_gone(self) -> None:
        proxy = self.proxy()
        errors: List[PromptgateError] = []
        pg = Promptgate(API_KEY, proxy.url, cache_ttl=0.2, timeout=TIMEOUT, on_error=lambda e, k: errors.append(e))
        good = pg.serve_json("py.greeting", {"name": "Ada", "company": "Acme"})
        chat = pg.get_prompt("py.chat")
        proxy.stop()  # the port now refuses connections
        time.sleep(0.25)
        stale = pg.serve_json("py.greeting", {"name": "Ada", "company": "Acme"})
        self.assertEqual((stale.content, stale.version, stale.source, stale.stale), (good.content, 1, "stale", True))
        until(lambda: len(errors) == 1, what="the failed revalidation being reported")
        self.assertIsInstance(errors[0], GatewayUnavailableError)
        self.assertEqual((errors[0].status, errors[0].code), (None, "network_error"))
        self.assertEqual(pg.serve("py.greeting", {"name": "Ada", "company": "Acme"}, fallback="never used"), good.content)
        self.assertEqual(pg.get_prompt("py.chat", fallback=[{"role": "user", "content": "never used"}]).messages, chat.messages)
        # Nothing was ever fetched for these variables: the fallback, with the gateway's substitution; else the error.
        fallback = pg.serve_json("py.greeting", {"name": "Bob"}, fallback="Hard-coded for {{name}}")
        self.assertEqual(fallback.as_dict(), {
            "key": "py.greeting", "version": None, "content": "Hard-coded for Bob", "unfilled_variables": [], "stale": True, "source": "fallback",
        })
        with self.assertRaises(GatewayUnavailableError):
            pg.serve("py.greeting", {"name": "Bob"})

    def test_a_gateway_that_stops_answering_times_out_and_the_cache_still_serves(self) -> None:
        proxy = self.proxy()
        # Long enough for the first answer on a loaded machine, far shorter than the proxy's hang.
        pg = Promptgate(API_KEY, proxy.url, cache_ttl=0.1, timeout=3)
        good = pg.serve("py.greeting", {"name": "Ada"})
        proxy.hang()
        time.sleep(0.15)
        self.assertEqual(pg.serve("py.greeting", {"name": "Ada"}), good)
        with self.assertRaises(GatewayTimeoutError) as raised:
            pg.serve("py.greeting", {"name": "Cy"})
        self.assertEqual(raised.exception.code, "timeout")

    def test_falls_back_only_when_nothing_was_ever_fetched(self) -> None:
        pg = Promptgate(API_KEY, "http://127.0.0.1:9", timeout=1)  # nothing listens on the discard port
        self.assertEqual(pg.serve("py.greeting", {"name": "Ada"}, fallback="Hi {{name}}, {{company}}"), "Hi Ada, {{company}}")
        prompt = pg.get_prompt("py.chat", fallback=[{"role": "system", "content": "Offline {{company}}"}, {"role": "placeholder", "name": "history"}])
        self.assertEqual((prompt.type, prompt.version, prompt.source, prompt.config), ("chat", None, "fallback", {}))
        self.assertEqual(prompt.compile({"company": "Acme"}, {"history": HISTORY[:1]}), [{"role": "system", "content": "Offline Acme"}, HISTORY[0]])
        with self.assertRaises(GatewayUnavailableError):
            pg.serve("py.greeting")
        # A refusal of the gateway gives way to the fallback too (a prompt not live in this environment).
        self.assertEqual(Promptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT).serve(unique_key("nowhere"), fallback="hard-coded"), "hard-coded")

    def test_shares_one_request_among_concurrent_calls(self) -> None:
        key = unique_key("burst")
        self.registry.live_prompt(key, "Burst for {{name}}")
        proxy = self.proxy()
        pg = Promptgate(API_KEY, proxy.url, timeout=TIMEOUT)
        proxy.hold()
        results: List[str] = []
        lock = threading.Lock()

        def call() -> None:
            served = pg.serve_json(key, {"name": "Ada"})
            with lock:
                results.append(f"{served.source}:{served.content}")

        threads = [threading.Thread(target=call) for _ in range(20)]
        for t in threads:
            t.start()
        until(lambda: proxy.count == 1, what="the first request")
        time.sleep(0.5)  # lets the threads reach the shared request
        proxy.release()
        for t in threads:
            t.join(15)
        self.assertEqual(proxy.count, 1)
        # Those that waited got the shared answer; one that came later (a slow machine) the cached one.
        self.assertEqual(len(results), 20)
        self.assertLessEqual(set(results), {"network:Burst for Ada", "cache:Burst for Ada"})
        self.assertGreaterEqual(results.count("network:Burst for Ada"), 2)


_ = _support

if __name__ == "__main__":
    unittest.main()
