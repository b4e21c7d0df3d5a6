"""The blocking client: ``Promptgate``. Thread-safe; share one per process."""

from __future__ import annotations

import threading
from typing import Dict, List, Optional, Tuple, Union

from ._core import (
    CachedPrompt,
    ErrorCallback,
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
from ._errors import PromptgateError


class _Flight:
    """One gateway request shared by every caller of its cache key."""

    __slots__ = ("done", "entry", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.entry: Optional[CachedPrompt] = None
        self.error: Optional[BaseException] = None


class Promptgate:
    """Serves prompts by key from a Promptgate gateway, keeps them in memory for ``cache_ttl``
    seconds, revalidates expired ones in the background (``If-None-Match``), and keeps serving the
    last good answer while the gateway is unreachable.

    ``api_key`` and ``base_url`` default to the ``PROMPTGATE_API_KEY`` and ``PROMPTGATE_URL``
    environment variables (``base_url`` then to ``http://localhost:8080``). ``timeout`` bounds
    connecting and each read of one gateway request, in seconds. ``on_error(error, key)`` is called
    once for every gateway request that failed, whatever the callers then got.
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
        self._lock = threading.Lock()
        self._in_flight: Dict[str, _Flight] = {}

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def __repr__(self) -> str:
        # Never the API key.
        return f"Promptgate(base_url={self._settings.base_url!r}, cache_ttl={self._settings.cache_ttl!r})"

    def serve(
        self, key: str, variables: Optional[Variables] = None, fallback: Optional[str] = None, version: Optional[int] = None
    ) -> str:
        """The text prompt's content, variables substituted by the gateway.

        ``fallback`` is served (its ``{{variables}}`` substituted the same way) only when the gateway
        fails and nothing was ever fetched for this call. A chat prompt raises PromptTypeError: use
        :meth:`get_prompt`.
        """
        return self.serve_json(key, variables, fallback, version).content

    def serve_json(
        self, key: str, variables: Optional[Variables] = None, fallback: Optional[str] = None, version: Optional[int] = None
    ) -> ServedPrompt:
        """As :meth:`serve`, with the version, the unfilled variables and where the answer came from."""
        request = describe_request(key, variables, fallback, version)
        found = self._look_up(request, request.fallback is not None)
        if found is None:
            assert request.fallback is not None
            return served_fallback(request, request.fallback)
        return served_from(*found)

    def get_prompt(
        self, key: str, version: Optional[int] = None, fallback: Union[str, List[Message], None] = None
    ) -> Prompt:
        """The prompt itself, text or chat, with its model configuration and a ``compile`` that
        substitutes locally exactly as the gateway does. One cached copy per key serves every set of
        variables. ``fallback`` is a string (text prompt) or a list of messages (chat prompt), used
        only when the gateway fails and nothing was ever fetched for this key."""
        request = describe_request(key, None, None, version)
        read = None if fallback is None else read_fallback(key, fallback)
        found = self._look_up(request, read is not None)
        if found is None:
            assert read is not None
            return prompt_from_fallback(key, read)
        return prompt_from(*found)

    # -----------------------------------------------------------------------------------------

    def _look_up(self, request: ServeRequest, has_fallback: bool) -> Optional[Tuple[CachedPrompt, str]]:
        """The cached entry (fresh, or stale while revalidating), else the gateway's answer; None
        when the gateway failed, nothing is cached and the caller has a fallback."""
        with self._lock:
            cached = self._cache.get(request.cache_key)
            if cached is not None:
                now = clock()
                if now < cached.fresh_until:
                    return cached, "cache"
                if now >= cached.revalidate_after:
                    self._revalidate_locked(request)
                return cached, "stale"
        try:
            return self._fetch_shared(request), "network"
        except BaseException as error:
            if has_fallback and may_fall_back(error):
                return None
            raise

    def _revalidate_locked(self, request: ServeRequest) -> None:
        if request.cache_key in self._in_flight:
            return
        flight = _Flight()
        self._in_flight[request.cache_key] = flight
        thread = threading.Thread(target=self._fly, args=(request, flight), name="promptgate-revalidate", daemon=True)
        thread.start()

    def _fetch_shared(self, request: ServeRequest) -> CachedPrompt:
        """One gateway request per cache key at a time: concurrent callers and revalidations share it."""
        with self._lock:
            flight = self._in_flight.get(request.cache_key)
            owner = flight is None
            if flight is None:
                flight = _Flight()
                self._in_flight[request.cache_key] = flight
        if owner:
            self._fly(request, flight)
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        assert flight.entry is not None
        return flight.entry

    def _fly(self, request: ServeRequest, flight: _Flight) -> None:
        try:
            flight.entry = self._fetch_prompt(request)
        except BaseException as error:  # noqa: BLE001 - handed to every waiter
            flight.error = error
        finally:
            with self._lock:
                if self._in_flight.get(request.cache_key) is flight:
                    del self._in_flight[request.cache_key]
            flight.done.set()

    def _fetch_prompt(self, request: ServeRequest) -> CachedPrompt:
        with self._lock:
            previous = self._cache.get(request.cache_key)
        http_request = build_request(self._settings, request, previous)
        try:
            answer = read_answer(request, send(self._settings, request.key, http_request), "If-None-Match" in http_request.headers)
        except PromptgateError as failure:
            with self._lock:
                forget_or_pause(self._settings, self._cache, request, previous, failure)
            report(self._settings, failure, request.key)
            raise
        with self._lock:
            return store_answer(self._settings, self._cache, request, previous, answer)
