"""The asyncio client: ``AsyncPromptgate``. Gateway requests run in a thread pool, so the event loop never blocks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Dict, List, Optional, Set, Tuple, Union

from ._core import (
    CachedPrompt,
    ErrorCallback,
    HttpAnswer,
    Message,
    Prompt,
    PromptCache,
    ServedPrompt,
    ServeRequest,
    Settings,
    Variables,
    build_request,
    clock,
    describe_request,
    forget_or_pause,
    may_fall_back,
    prompt_from,
    prompt_from_fallback,
    read_answer,
    read_fallback,
    report,
    send,
    served_fallback,
    served_from,
    store_answer,
)
from ._errors import GatewayTimeoutError, PromptgateError

_MAX_WORKERS = 8


class AsyncPromptgate:
    """The same client as :class:`Promptgate`, its methods coroutines: ``await pg.serve(...)``.

    The cache, the single-flight sharing and the background revalidation follow the same rules.
    Each gateway request runs on a small thread pool of the client's own (standard library
    ``http.client``), and ``timeout`` bounds the whole request. Use it from one event loop at a time;
    ``await pg.aclose()`` (or ``async with AsyncPromptgate() as pg``) releases the pool.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        cache_ttl: float = 30.0,
        timeout: float = 5.0,
        *,
        max_cache_entries: int = 1000,
        on_error: Optional[ErrorCallback] = None,
    ) -> None:
        self._settings = Settings(api_key, base_url, cache_ttl, timeout, max_cache_entries, on_error)
        self._cache = PromptCache(max_cache_entries)
        # The cache is touched from the loop only; the lock guards the pool's creation.
        self._lock = threading.Lock()
        self._pool: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._in_flight: Dict[str, Tuple[asyncio.AbstractEventLoop, "asyncio.Task[CachedPrompt]"]] = {}
        self._background: Set["asyncio.Task[CachedPrompt]"] = set()

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def __repr__(self) -> str:
        return f"AsyncPromptgate(base_url={self._settings.base_url!r}, cache_ttl={self._settings.cache_ttl!r})"

    async def __aenter__(self) -> AsyncPromptgate:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Waits for background revalidations, then shuts the thread pool down."""
        pending = [task for task in self._background if not task.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)

    async def serve(
        self, key: str, variables: Optional[Variables] = None, fallback: Optional[str] = None, version: Optional[int] = None
    ) -> str:
        """As :meth:`Promptgate.serve`."""
        return (await self.serve_json(key, variables, fallback, version)).content

    async def serve_json(
        self, key: str, variables: Optional[Variables] = None, fallback: Optional[str] = None, version: Optional[int] = None
    ) -> ServedPrompt:
        """As :meth:`Promptgate.serve_json`."""
        request = describe_request(key, variables, fallback, version)
        found = await self._look_up(request, request.fallback is not None)
        if found is None:
            assert request.fallback is not None
            return served_fallback(request, request.fallback)
        return served_from(*found)

    async def get_prompt(
        self, key: str, version: Optional[int] = None, fallback: Union[str, List[Message], None] = None
    ) -> Prompt:
        """As :meth:`Promptgate.get_prompt`."""
        request = describe_request(key, None, None, version)
        read = None if fallback is None else read_fallback(key, fallback)
        found = await self._look_up(request, read is not None)
        if found is None:
            assert read is not None
            return prompt_from_fallback(key, read)
        return prompt_from(*found)

    # -----------------------------------------------------------------------------------------

    async def _look_up(self, request: ServeRequest, has_fallback: bool) -> Optional[Tuple[CachedPrompt, str]]:
        cached = self._cache.get(request.cache_key)
        if cached is not None:
            now = clock()
            if now < cached.fresh_until:
                return cached, "cache"
            if now >= cached.revalidate_after:
                task = self._shared_task(request)
                if task not in self._background:
                    self._background.add(task)
                    task.add_done_callback(self._background.discard)
            return cached, "stale"
        try:
            # shield: a caller that is cancelled stops waiting; the shared request still fills the cache.
            return await asyncio.shield(self._shared_task(request)), "network"
        except asyncio.CancelledError:
            raise
        except BaseException as error:
            if has_fallback and may_fall_back(error):
                return None
            raise

    def _shared_task(self, request: ServeRequest) -> "asyncio.Task[CachedPrompt]":
        """One gateway request per cache key at a time: concurrent callers and revalidations share it."""
        loop = asyncio.get_running_loop()
        flight = self._in_flight.get(request.cache_key)
        if flight is not None and flight[0] is loop and not flight[1].done():
            return flight[1]
        task = loop.create_task(self._fetch_prompt(request))
        self._in_flight[request.cache_key] = (loop, task)

        def finished(done: "asyncio.Task[CachedPrompt]") -> None:
            current = self._in_flight.get(request.cache_key)
            if current is not None and current[1] is done:
                del self._in_flight[request.cache_key]
            if not done.cancelled():
                done.exception()  # a background revalidation's failure is reported through on_error, not logged by asyncio

        task.add_done_callback(finished)
        return task

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=_MAX_WORKERS, thread_name_prefix="promptgate")
            return self._pool

    async def _fetch_prompt(self, request: ServeRequest) -> CachedPrompt:
        previous = self._cache.get(request.cache_key)
        http_request = build_request(self._settings, request, previous)
        loop = asyncio.get_running_loop()
        try:
            sent = loop.run_in_executor(self._executor(), send, self._settings, request.key, http_request)
            try:
                http_answer: HttpAnswer = await asyncio.wait_for(sent, self._settings.timeout)
            except asyncio.TimeoutError:
                raise GatewayTimeoutError(
                    f"serve({request.key!r}): no answer from the gateway at {self._settings.base_url} within {self._settings.timeout:g} s",
                    status=None, code="timeout",
                ) from None
            answer = read_answer(request, http_answer, "If-None-Match" in http_request.headers)
        except PromptgateError as failure:
            forget_or_pause(self._settings, self._cache, request, previous, failure)
            report(self._settings, failure, request.key)
            raise
        return store_answer(self._settings, self._cache, request, previous, answer)
