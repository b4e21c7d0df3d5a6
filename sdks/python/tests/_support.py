"""Helpers of the SDK's tests: the source folder on sys.path, the live gateway's settings, a registry
client, and a recording proxy that counts what the SDK really sends (and can stop answering)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import sys
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlsplit

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if SRC not in sys.path:
    # Run from the source folder, with or without PYTHONPATH: PyPI is not needed for the tests.
    sys.path.insert(0, SRC)

LIVE_VARIABLES = (
    "PROMPTGATE_URL",
    "PROMPTGATE_API_KEY",
    "PROMPTGATE_TEST_REGISTRY_URL",
    "PROMPTGATE_TEST_EDITOR_TOKEN",
    "PROMPTGATE_TEST_REVIEWER_TOKEN",
    "PROMPTGATE_TEST_ENVIRONMENT_ID",
)
MISSING = [name for name in LIVE_VARIABLES if not os.environ.get(name)]
SKIP_REASON = (
    "needs a running gateway and registry: set " + ", ".join(MISSING) + " (and PROMPTGATE_TEST_SEEDED); "
    "npm test does, through test/python-sdk.e2e-spec.ts"
)


def live(cls: Any) -> Any:
    """Marks a test class that talks to a real gateway: skipped, with the reason, when the settings are missing."""
    return unittest.skipIf(bool(MISSING), SKIP_REASON)(cls)


GATEWAY_URL = os.environ.get("PROMPTGATE_URL", "")
API_KEY = os.environ.get("PROMPTGATE_API_KEY", "")
SEEDED: Dict[str, Dict[str, str]] = json.loads(os.environ.get("PROMPTGATE_TEST_SEEDED") or "{}")
# Optional: an API key limited to 1 request a minute, and a second gateway the tests may stop
# (POST {control}/gateways/doomed/stop). test/python-sdk.e2e-spec.ts sets them.
LIMITED_API_KEY = os.environ.get("PROMPTGATE_TEST_LIMITED_API_KEY", "")
DOOMED_URL = os.environ.get("PROMPTGATE_TEST_DOOMED_URL", "")
CONTROL_URL = os.environ.get("PROMPTGATE_TEST_CONTROL_URL", "")
RUN = uuid.uuid4().hex[:8]


def unique_key(name: str) -> str:
    """A prompt key of this run only, so the suite can run again on the same registry."""
    return f"py.{name}.{RUN}"


# Generous, for a loaded machine: the tests of the timeout itself set their own.
TIMEOUT = 30.0


def until(condition: Callable[[], bool], within: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        time.sleep(0.02)


async def eventually(condition: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    """``until`` for coroutines: awaits ``condition`` every 20 ms until it is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


def serve_locally(answer: Callable[[BaseHTTPRequestHandler], None], name: Optional[str] = None) -> ThreadingHTTPServer:
    """A quiet HTTP server on a free 127.0.0.1 port, serving on a daemon thread, that hands every
    GET and POST to ``answer``; its URL is ``url_of(server)``; stop it with shutdown() and server_close()."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            answer(self)

        def do_POST(self) -> None:  # noqa: N802
            answer(self)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def write_answer(handler: BaseHTTPRequestHandler, status: int, headers: Iterable[Tuple[str, str]], data: bytes) -> None:
    """Answers with ``status``, ``headers`` and ``data`` (a Content-Length but on a 304)."""
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if data:
        handler.wfile.write(data)


# ---------------------------------------------------------------------------------------------
# HTTP without the SDK


def call(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None, timeout: float = TIMEOUT) -> Tuple[int, Dict[str, str], Any]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    sent = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        sent["Content-Type"] = "application/json"
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        parsed: Any = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return response.status, answer_headers, parsed


def gateway_json(key: str, body: Optional[Dict[str, Any]] = None, query: str = "format=json") -> Dict[str, Any]:
    """What the gateway itself answers right now, bypassing any SDK cache: a GET, or a POST with ``body``."""
    auth = {"Authorization": f"Bearer {API_KEY}"}
    if body is None:
        status, _, answer = call("GET", f"{GATEWAY_URL}/v1/serve/{key}?{query}", headers=auth)
    else:
        status, _, answer = call("POST", f"{GATEWAY_URL}/v1/serve/{key}", body=body, headers=auth)
    if status != 200:
        raise AssertionError(f"the gateway answered {status} for {key}: {answer!r}")
    assert isinstance(answer, dict)
    return answer


def wait_until_served(key: str, version: int) -> None:
    """Approvals reach the gateway within about a second (its live channel): wait for that one."""

    def served() -> bool:
        status, _, answer = call("GET", f"{GATEWAY_URL}/v1/serve/{key}?format=json", headers={"Authorization": f"Bearer {API_KEY}"})
        return status == 200 and isinstance(answer, dict) and answer.get("version") == version

    until(served, 30.0, f"the gateway serving {key} version {version}")


class Registry:
    """The registry's API, as the editor (creates, proposes, submits) and the reviewer (approves)."""

    def __init__(self) -> None:
        self.url = os.environ.get("PROMPTGATE_TEST_REGISTRY_URL", "").rstrip("/")
        self.editor = {"Authorization": f"Bearer {os.environ.get('PROMPTGATE_TEST_EDITOR_TOKEN', '')}"}
        self.reviewer = {"Authorization": f"Bearer {os.environ.get('PROMPTGATE_TEST_REVIEWER_TOKEN', '')}"}
        self.environment = os.environ.get("PROMPTGATE_TEST_ENVIRONMENT_ID", "")

    def _expect(self, status: int, method: str, path: str, body: Any, who: Dict[str, str]) -> Any:
        got, _, answer = call(method, self.url + path, body=body, headers=who)
        if got != status:
            raise AssertionError(f"{method} {path} answered {got}: {answer!r}")
        return answer

    def create(self, key: str, content: Optional[str] = None, messages: Optional[List[Dict[str, str]]] = None,
               config: Optional[Dict[str, Any]] = None) -> Tuple[str, str]:
        body: Dict[str, Any] = {"key": key}
        if messages is not None:
            body.update(type="chat", messages=messages)
        else:
            body["content"] = content
        if config is not None:
            body["config"] = config
        answer = self._expect(201, "POST", f"/environments/{self.environment}/prompts", body, self.editor)
        return answer["prompt"]["id"], answer["version"]["id"]

    def go_live(self, version_id: str) -> int:
        self._expect(200, "POST", f"/versions/{version_id}/submit", None, self.editor)
        return int(self._expect(200, "POST", f"/versions/{version_id}/approve", {}, self.reviewer)["version"]["version_num"])

    def live_prompt(self, key: str, content: Optional[str] = None, messages: Optional[List[Dict[str, str]]] = None,
                    config: Optional[Dict[str, Any]] = None) -> str:
        prompt_id, version_id = self.create(key, content, messages, config)
        self.go_live(version_id)
        return prompt_id

    def ship(self, prompt_id: str, content: str) -> int:
        """Proposes, submits and approves a new version; returns its number."""
        answer = self._expect(201, "POST", f"/prompts/{prompt_id}/versions", {"content": content}, self.editor)
        return self.go_live(answer["version"]["id"])


# ---------------------------------------------------------------------------------------------
# The recording proxy


class Exchange:
    def __init__(self, method: str, path: str, if_none_match: Optional[str]) -> None:
        self.method = method
        self.path = path
        self.if_none_match = if_none_match
        self.status: Optional[int] = None
        self.etag: Optional[str] = None

    def __repr__(self) -> str:
        return f"Exchange({self.method} {self.path[:80]} inm={self.if_none_match} -> {self.status})"


class RecordingProxy:
    """A local HTTP proxy in front of an upstream (the real gateway) that records every request and
    answer, can hold requests until released (``hold()``/``release()``), can stop answering
    (``hang()``), and can stop altogether (``stop()``: the port then refuses connections, as a
    gateway that is gone)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.exchanges: List[Exchange] = []
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self._hanging = threading.Event()
        self._stopped = False
        self._server = serve_locally(self._forward, name="recording-proxy")
        self.url = url_of(self._server)

    def __enter__(self) -> RecordingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.exchanges)

    def answered(self) -> List[Exchange]:
        with self._lock:
            return [e for e in self.exchanges if e.status is not None]

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def hang(self) -> None:
        """Accept connections and never answer (until stopped): a gateway that times out."""
        self._hanging.set()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._hanging.clear()

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        exchange = Exchange(handler.command, handler.path, handler.headers.get("If-None-Match"))
        with self._lock:
            self.exchanges.append(exchange)
        if self._hanging.is_set():
            # Bounded: a test's timeout is far shorter; the connection is then dropped unanswered.
            time.sleep(20)
            handler.close_connection = True
            return
        self._gate.wait(60)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        conn = http.client.HTTPConnection(self.upstream.hostname or "", self.upstream.port, timeout=TIMEOUT)
        try:
            conn.request(handler.command, handler.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            with self._lock:
                exchange.etag = response.getheader("etag")
                exchange.status = response.status
            hop_by_hop = ("transfer-encoding", "connection", "content-length", "date", "keep-alive")
            write_answer(handler, response.status, [(n, v) for n, v in response.getheaders() if n.lower() not in hop_by_hop], data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a client that timed out and left
        finally:
            conn.close()
