"""How the SDK builds its requests and reads its arguments (no server needed)."""

from __future__ import annotations

import json
import os
import unittest
from typing import Dict, List
from unittest import mock
from urllib.parse import unquote, urlsplit

import _support  # noqa: F401 - puts the source folder on sys.path

from promptgate import AsyncPromptgate, ConfigurationError, Promptgate
from promptgate._core import MAX_GET_URL_LENGTH, Settings, build_request, describe_request, parse_retry_after


def settings(base_url: str = "http://127.0.0.1:8080") -> Settings:
    return Settings("pg_test_key", base_url, 30.0, 5.0, 1000, None)


def gateway_vars(url: str) -> Dict[str, str]:
    """Reads ?vars= as the gateway does: items split at '&', percent-decoded, each split at its first '='."""
    values: Dict[str, str] = {}
    for item in urlsplit(url).query.split("&"):
        name, _, value = item.partition("=")
        if name != "vars":
            continue
        decoded = unquote(value, encoding="utf-8", errors="strict")
        var, eq, text = decoded.partition("=")
        if eq:
            values[var] = text
    return values


class RequestTest(unittest.TestCase):
    def test_variables_survive_the_query_string_spaces_ampersands_equals_and_unicode(self) -> None:
        variables = {
            "a": "Ada & Bob = friends",
            "b": "x=1&y=2&vars=c=3",
            "c": "Zoë 🚀 日本語",
            "d": "100% + more?#/\\",
            "e": "  padded  ",
            "f": "",
            "g": "line\nbreak\ttab",
        }
        req = build_request(settings(), describe_request("support.greeting", variables), None)
        self.assertEqual(req.method, "GET")
        self.assertTrue(req.url.startswith("http://127.0.0.1:8080/v1/serve/support.greeting?format=json&vars="))
        self.assertEqual(gateway_vars(req.url), variables)
        # Nothing a query string gives meaning to is left unencoded inside a value.
        query = urlsplit(req.url).query
        self.assertEqual(query.count("&"), len(variables))
        self.assertNotIn(" ", query)
        self.assertNotIn("+", query)

    def test_variables_are_sorted_so_their_order_never_splits_the_cache(self) -> None:
        one = describe_request("k", {"b": "2", "a": "1"})
        two = describe_request("k", {"a": "1", "b": "2"})
        self.assertEqual(one.cache_key, two.cache_key)
        self.assertNotEqual(one.cache_key, describe_request("k", {"a": "1"}).cache_key)
        self.assertNotEqual(one.cache_key, describe_request("k", {"a": "1", "b": "2"}, version=1).cache_key)

    def test_numbers_and_booleans_are_sent_as_text(self) -> None:
        req = build_request(settings(), describe_request("k", {"n": 3, "x": 1.5, "t": True, "f": False}), None)
        self.assertEqual(gateway_vars(req.url), {"n": "3", "x": "1.5", "t": "true", "f": "false"})

    def test_a_pinned_version_and_if_none_match(self) -> None:
        request = describe_request("k", None, version=7)
        req = build_request(settings(), request, None)
        self.assertEqual(req.url, "http://127.0.0.1:8080/v1/serve/k?format=json&version=7")
        self.assertNotIn("If-None-Match", req.headers)
        self.assertEqual(req.headers["Authorization"], "Bearer pg_test_key")

    def test_long_values_go_in_a_post_body(self) -> None:
        long = "é & = ?" * 500
        req = build_request(settings(), describe_request("k", {"name": long, "other": "x"}, version=2), None)
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.url, "http://127.0.0.1:8080/v1/serve/k?version=2")
        self.assertEqual(req.headers["Content-Type"], "application/json")
        assert req.body is not None
        self.assertEqual(json.loads(req.body), {"variables": {"name": long, "other": "x"}})
        short = build_request(settings(), describe_request("k", {"name": "x" * 100}), None)
        self.assertEqual(short.method, "GET")
        self.assertLessEqual(len(short.url), MAX_GET_URL_LENGTH)

    def test_a_base_url_may_carry_a_path_prefix(self) -> None:
        req = build_request(settings("https://gw.internal/promptgate/"), describe_request("a.b", None), None)
        self.assertEqual(req.url, "https://gw.internal/promptgate/v1/serve/a.b?format=json")

    def test_refuses_bad_arguments_before_any_request(self) -> None:
        for args in (("",), (None,), ("k", {"bad-name": "x"}), ("k", {"a": None}), ("k", ["a"]), ("k", None, 3), ("k", None, None, 0),
                     ("k", None, None, True), ("k", None, None, "2")):
            with self.assertRaises(ConfigurationError, msg=repr(args)):
                describe_request(*args)  # type: ignore[arg-type]
        with self.assertRaises(ConfigurationError):
            build_request(settings(), describe_request("k", {"a": "\ud800"}), None)

    def test_reads_retry_after_in_seconds_or_as_a_date(self) -> None:
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after("0.5"), 0.5)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        self.assertEqual(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0)


class ConstructorTest(unittest.TestCase):
    def test_api_key_and_url_default_to_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"PROMPTGATE_API_KEY": "pg_test_fromenv", "PROMPTGATE_URL": "http://gw.example:9000/"}):
            pg = Promptgate()
            self.assertEqual(pg.base_url, "http://gw.example:9000")
            self.assertNotIn("pg_test_fromenv", repr(pg))
            self.assertEqual(AsyncPromptgate().base_url, "http://gw.example:9000")
        with mock.patch.dict(os.environ, {"PROMPTGATE_API_KEY": "pg_test_fromenv"}):
            os.environ.pop("PROMPTGATE_URL", None)
            self.assertEqual(Promptgate().base_url, "http://localhost:8080")

    def test_refuses_a_missing_key_and_bad_options(self) -> None:
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaises(ConfigurationError):
                Promptgate()
        bad: List[dict] = [
            {"base_url": "ftp://x"}, {"base_url": "http://x/?a=1"}, {"base_url": "not a url"}, {"cache_ttl": -1},
            {"cache_ttl": "30"}, {"timeout": 0}, {"timeout": float("inf")}, {"max_cache_entries": 0}, {"on_error": "print"},
        ]
        for options in bad:
            with self.assertRaises(ConfigurationError, msg=repr(options)):
                Promptgate("pg_test_key", **options)
        for key in ("pg_test_a\r\nX-Injected: 1", "pg test", "pg_tést", "   "):
            with self.assertRaises(ConfigurationError, msg=repr(key)):
                Promptgate(key)
        self.assertTrue(issubclass(ConfigurationError, ValueError))


if __name__ == "__main__":
    unittest.main()
