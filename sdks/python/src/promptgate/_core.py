"""What the sync and async clients share: arguments, the cache, the wire format and the prompts."""

from __future__ import annotations

import copy
import email.utils
import http.client
import json
import math
import os
import re
import socket
import ssl
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast
from urllib.parse import quote, urlsplit

from ._errors import (
    AuthenticationError,
    ConfigurationError,
    GatewayTimeoutError,
    GatewayUnavailableError,
    InvalidRequestError,
    PromptgateError,
    PromptNotFoundError,
    PromptTypeError,
    RateLimitedError,
)
from ._portable import (
    MESSAGE_ROLES,
    CompiledMessages,
    CompiledTemplate,
    compile_messages,
    compile_template,
    render_messages,
    render_template,
)

Message = Dict[str, str]
"""A chat message: ``{"role": "system" | "user" | "assistant", "content": ...}`` or ``{"role": "placeholder", "name": ...}``."""

VariableValue = Union[str, int, float, bool]
Variables = Mapping[str, VariableValue]
Placeholders = Mapping[str, Sequence[Mapping[str, str]]]
ErrorCallback = Callable[[PromptgateError, str], None]

DEFAULT_BASE_URL = "http://localhost:8080"
# Past this length a GET with ?vars= risks proxy and server URL limits, so the variables go in a POST body.
MAX_GET_URL_LENGTH = 2048
MAX_RETRY_PAUSE = 1.0
VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")
USER_AGENT = "promptgate-python/0.1.0"


def clock() -> float:
    return time.monotonic()


# ---------------------------------------------------------------------------------------------
# Options and arguments


class Settings:
    """The constructor's arguments, checked once."""

    __slots__ = ("api_key", "base_url", "cache_ttl", "timeout", "max_cache_entries", "on_error")

    def __init__(
        self,
        api_key: Optional[str],
        base_url: Optional[str],
        cache_ttl: float,
        timeout: float,
        max_cache_entries: int,
        on_error: Optional[ErrorCallback],
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("PROMPTGATE_API_KEY")
        if not isinstance(api_key, str) or api_key.strip() == "":
            raise ConfigurationError(
                "api_key is required: an API key of the environment to serve from (pg_live_... or pg_test_...), "
                "as api_key= or in PROMPTGATE_API_KEY"
            )
        if not all(0x21 <= ord(c) <= 0x7E for c in api_key.strip()):
            # It goes in a header: a control character or a space would break (or inject into) the request.
            raise ConfigurationError("api_key must be printable ASCII without spaces, as Promptgate issues it")
        api_key = api_key.strip()
        if base_url is None:
            base_url = os.environ.get("PROMPTGATE_URL") or DEFAULT_BASE_URL
        if not _is_number(cache_ttl) or not cache_ttl >= 0:
            raise ConfigurationError(f"cache_ttl must be a number of seconds >= 0, got {cache_ttl!r}")
        if not _is_number(timeout) or not math.isfinite(timeout) or timeout <= 0:
            raise ConfigurationError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
        if isinstance(max_cache_entries, bool) or not isinstance(cast(object, max_cache_entries), int) or max_cache_entries < 1:
            raise ConfigurationError(f"max_cache_entries must be an integer >= 1, got {max_cache_entries!r}")
        if on_error is not None and not callable(on_error):
            raise ConfigurationError("on_error must be callable: on_error(error, key)")
        self.api_key = api_key
        self.base_url = parse_base_url(base_url)
        self.cache_ttl = float(cache_ttl)
        self.timeout = float(timeout)
        self.max_cache_entries = max_cache_entries
        self.on_error = on_error


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_base_url(value: object) -> str:
    ok = False
    if isinstance(value, str):
        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
            parts.port  # raises ValueError on a bad port
        except ValueError:
            ok = False
    if not ok:
        raise ConfigurationError(
            f"base_url must be an http(s) URL without query or fragment, such as {DEFAULT_BASE_URL}; got {value!r}"
        )
    assert isinstance(value, str)
    return value.rstrip("/")


class ServeRequest:
    """One call, normalised: variables sorted by name so that their order never splits the cache."""

    __slots__ = ("key", "version", "variables", "fallback", "cache_key")

    def __init__(self, key: str, version: Optional[int], variables: List[Tuple[str, str]], fallback: Optional[str]) -> None:
        self.key = key
        self.version = version
        self.variables = variables
        self.fallback = fallback
        self.cache_key = json.dumps([key, version, variables], ensure_ascii=True)


def describe_request(key: object, variables: object = None, fallback: object = None, version: object = None) -> ServeRequest:
    if not isinstance(key, str) or key == "":
        raise ConfigurationError("serve: the prompt key must be a non-empty string")
    call = f"serve({key!r})"
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version <= 0):
        raise ConfigurationError(f"{call}: version must be a positive integer, got {version!r}")
    if fallback is not None and not isinstance(fallback, str):
        raise ConfigurationError(f"{call}: fallback must be a string")
    pairs = variable_pairs(call, variables)
    return ServeRequest(key, version, pairs, fallback)


def variable_text(value: VariableValue) -> str:
    """A variable's value as sent: booleans as ``true``/``false`` (as JSON and the TypeScript SDK write them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def variable_pairs(call: str, variables: object) -> List[Tuple[str, str]]:
    """Variables as sorted name/text pairs; a name the gateway would ignore is refused, so a variable never silently stays unfilled."""
    if variables is None:
        return []
    given = as_mapping(variables)
    if given is None:
        raise ConfigurationError(f"{call}: variables must be a mapping of name -> value")
    pairs: List[Tuple[str, str]] = []
    for name, value in given.items():
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
            raise ConfigurationError(f"{call}: variable name {name!r} is not made of [A-Za-z0-9_]")
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigurationError(f"{call}: variable {name!r} must be a str, int, float or bool")
        pairs.append((name, variable_text(value)))
    pairs.sort(key=lambda pair: pair[0])
    return pairs


def as_mapping(value: object) -> Optional[Mapping[Any, Any]]:
    """``value`` as a mapping of unchecked items, or None: untrusted input (arguments, JSON) is checked item by item."""
    return cast("Mapping[Any, Any]", value) if isinstance(value, Mapping) else None


def as_list(value: object) -> Optional[List[Any]]:
    """``value`` (a list or a tuple) as a list of unchecked items, or None."""
    return list(cast("Sequence[Any]", value)) if isinstance(value, (list, tuple)) else None


def is_message(value: object, allow_placeholder: bool) -> bool:
    """A message as API.md fixes it: ``{role, content}`` of a known role, or ``{role: "placeholder", name}``."""
    message = as_mapping(value)
    if message is None or len(message) != 2:
        return False
    role = message.get("role")
    if role == "placeholder":
        name = message.get("name")
        return allow_placeholder and isinstance(name, str) and bool(VARIABLE_NAME.fullmatch(name))
    return role in MESSAGE_ROLES and isinstance(message.get("content"), str)


def copy_messages(messages: List[Any]) -> List[Message]:
    """Checked messages (is_message), copied."""
    return [{str(k): str(v) for k, v in cast("Mapping[Any, Any]", m).items()} for m in messages]


def read_fallback(key: str, fallback: object) -> Union[str, List[Message]]:
    if isinstance(fallback, str):
        return fallback
    messages = as_list(fallback)
    if messages and all(is_message(m, True) for m in messages):
        return copy_messages(messages)
    raise ConfigurationError(
        f"get_prompt({key!r}): fallback must be a str (text prompt) or a non-empty list of messages "
        "{'role', 'content'} (chat prompt)"
    )


# ---------------------------------------------------------------------------------------------
# The cache


class CachedPrompt:
    """One gateway answer kept for a (prompt key, version pin, variables) triple."""

    __slots__ = (
        "key", "version", "type", "content", "messages", "config", "unfilled_variables", "etag",
        "stale_at_gateway", "fresh_until", "revalidate_after", "_compiled",
    )

    def __init__(
        self, key: str, version: int, type: str, content: Optional[str], messages: Optional[List[Message]],
        config: Dict[str, Any], unfilled_variables: List[str], etag: Optional[str], stale_at_gateway: bool,
    ) -> None:
        self.key = key
        self.version = version
        self.type = type
        self.content = content
        self.messages = messages
        self.config = config
        self.unfilled_variables = unfilled_variables
        self.etag = etag
        # The gateway served it from its own cache while its store was down (x-prompt-stale: 1).
        self.stale_at_gateway = stale_at_gateway
        # Clock reading after which the entry is stale; infinity for a pinned version.
        self.fresh_until = 0.0
        # No background revalidation before this clock reading: set after a failed one.
        self.revalidate_after = 0.0
        self._compiled: Union[CompiledTemplate, CompiledMessages, None] = None

    def compiled(self) -> Union[CompiledTemplate, CompiledMessages]:
        """Compiled once per cached version, on first use; every compile() call then only joins."""
        if self._compiled is None:
            self._compiled = compile_messages(self.messages or []) if self.type == "chat" else compile_template(self.content or "")
        return self._compiled

    def renewed(self, stale_at_gateway: bool) -> CachedPrompt:
        """The same answer confirmed by a 304."""
        entry = CachedPrompt(
            self.key, self.version, self.type, self.content, self.messages, self.config, self.unfilled_variables, self.etag,
            stale_at_gateway,
        )
        entry._compiled = self._compiled
        return entry


class PromptCache:
    """A bounded map that forgets the least recently used entry first. Callers hold the client's lock."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: "OrderedDict[str, CachedPrompt]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, cache_key: str) -> Optional[CachedPrompt]:
        entry = self._entries.get(cache_key)
        if entry is not None:
            self._entries.move_to_end(cache_key)
        return entry

    def set(self, cache_key: str, entry: CachedPrompt) -> None:
        self._entries[cache_key] = entry
        self._entries.move_to_end(cache_key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def delete(self, cache_key: str) -> None:
        self._entries.pop(cache_key, None)

    def clear(self) -> None:
        self._entries.clear()


def store_answer(settings: Settings, cache: PromptCache, request: ServeRequest, previous: Optional[CachedPrompt], answer: Union[CachedPrompt, bool]) -> CachedPrompt:
    """Caches a gateway answer: a new prompt, or (``answer`` is the x-prompt-stale flag of a 304) the previous one renewed."""
    if isinstance(answer, CachedPrompt):
        entry = answer
    else:
        assert previous is not None
        entry = previous.renewed(answer)
    entry.fresh_until = clock() + settings.cache_ttl if request.version is None else math.inf
    cache.set(request.cache_key, entry)
    return entry


def forget_or_pause(settings: Settings, cache: PromptCache, request: ServeRequest, previous: Optional[CachedPrompt], failure: PromptgateError) -> None:
    """A revoked key (401) must not keep serving anything, and a removed prompt (404) or a refused request (other
    4xx) must not keep serving this entry; an outage or a rate limit keeps the last good answer and pauses
    revalidation so that every call does not become a new attempt."""
    if isinstance(failure, AuthenticationError):
        cache.clear()
    elif isinstance(failure, RateLimitedError):
        pause = min(settings.cache_ttl, MAX_RETRY_PAUSE) if failure.retry_after is None else failure.retry_after
        if previous is not None:
            previous.revalidate_after = clock() + pause
    elif isinstance(failure, GatewayUnavailableError):
        if previous is not None:
            previous.revalidate_after = clock() + min(settings.cache_ttl, MAX_RETRY_PAUSE)
    else:
        cache.delete(request.cache_key)


def report(settings: Settings, error: PromptgateError, key: str) -> None:
    if settings.on_error is None:
        return
    try:
        settings.on_error(error, key)
    except Exception:  # noqa: BLE001 - a failing error callback must not turn a served prompt into an error
        pass


def may_fall_back(error: BaseException) -> bool:
    """Gateway failures (refusals included) give way to a fallback; a programming error never does."""
    return isinstance(error, PromptgateError) and not isinstance(error, ConfigurationError)


# ---------------------------------------------------------------------------------------------
# The wire


def serve_url(settings: Settings, request: ServeRequest, with_variables: bool) -> str:
    query: List[str] = []
    if with_variables:
        query.append("format=json")
    if request.version is not None:
        query.append(f"version={request.version}")
    if with_variables:
        for name, value in request.variables:
            try:
                query.append("vars=" + quote(f"{name}={value}", safe="", encoding="utf-8", errors="strict"))
            except UnicodeEncodeError:
                raise ConfigurationError(
                    f"serve({request.key!r}): variable {name!r} holds an unpaired surrogate, which UTF-8 cannot carry"
                ) from None
    path = f"{settings.base_url}/v1/serve/{quote(request.key, safe='')}"
    return f"{path}?{'&'.join(query)}" if query else path


class HttpRequest:
    __slots__ = ("method", "url", "headers", "body")

    def __init__(self, method: str, url: str, headers: Dict[str, str], body: Optional[bytes]) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


def build_request(settings: Settings, request: ServeRequest, previous: Optional[CachedPrompt]) -> HttpRequest:
    headers = {"Authorization": f"Bearer {settings.api_key}", "Accept": "application/json", "User-Agent": USER_AGENT}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    url = serve_url(settings, request, True)
    if len(url) <= MAX_GET_URL_LENGTH:
        return HttpRequest("GET", url, headers, None)
    headers["Content-Type"] = "application/json"
    body = json.dumps({"variables": dict(request.variables)}, ensure_ascii=True).encode("ascii")
    return HttpRequest("POST", serve_url(settings, request, False), headers, body)


class HttpAnswer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def send(settings: Settings, key: str, req: HttpRequest) -> HttpAnswer:
    """One HTTP exchange on a new connection (blocking). Raises GatewayUnavailableError or GatewayTimeoutError."""
    parts = urlsplit(req.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or ""
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, parts.port, timeout=settings.timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=settings.timeout)
    try:
        conn.request(req.method, target, body=req.body, headers=req.headers)
        response = conn.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpAnswer(response.status, headers, body)
    except socket.timeout:
        raise GatewayTimeoutError(
            f"serve({key!r}): no answer from the gateway at {settings.base_url} within {settings.timeout:g} s",
            status=None, code="timeout",
        ) from None
    except (OSError, http.client.HTTPException) as error:
        raise GatewayUnavailableError(
            f"serve({key!r}): could not reach the gateway at {settings.base_url}: {_describe(error)}",
            status=None, code="network_error",
        ) from error
    finally:
        conn.close()


def _describe(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "ECONNREFUSED"
    if isinstance(error, ConnectionResetError):
        return "ECONNRESET"
    return f"{type(error).__name__}: {error}"


def read_answer(request: ServeRequest, answer: HttpAnswer, asked_to_revalidate: bool) -> Union[CachedPrompt, bool]:
    """A prompt to cache, or (for a 304 to If-None-Match) the x-prompt-stale flag; else raises the mapped error."""
    stale_at_gateway = answer.headers.get("x-prompt-stale") == "1"
    if answer.status == 304 and asked_to_revalidate:
        return stale_at_gateway
    body: object = _parse_json(answer.body)
    fields = as_mapping(body)
    if answer.status == 200 and fields is not None:
        # A gateway from before chat prompts sends neither type nor config: a text prompt with config {}.
        type_: object = fields.get("type", "text")
        config: object = fields.get("config", {})
        content: object = fields.get("content")
        messages = as_list(fields.get("messages"))
        if type_ == "chat":
            body_ok = bool(messages) and all(is_message(m, True) for m in messages or []) and content is None
        else:
            body_ok = type_ == "text" and isinstance(content, str)
        version: object = fields.get("version")
        unfilled = as_list(fields.get("unfilled_variables"))
        if (
            body_ok and isinstance(config, dict) and isinstance(version, int) and not isinstance(version, bool)
            and unfilled is not None and all(isinstance(n, str) for n in unfilled)
        ):
            return CachedPrompt(
                request.key, version, "chat" if type_ == "chat" else "text",
                content if isinstance(content, str) else None,
                copy_messages(messages) if type_ == "chat" and messages else None,
                cast("Dict[str, Any]", config), [str(n) for n in unfilled], answer.headers.get("etag"), stale_at_gateway,
            )
    raise error_from_answer(request, answer, body)


def _parse_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def error_from_answer(request: ServeRequest, answer: HttpAnswer, body: object) -> PromptgateError:
    status = answer.status
    fields = as_mapping(body)
    error = as_mapping(fields.get("error")) if fields is not None else None
    code_value: object = error.get("code") if error is not None else None
    message_value: object = error.get("message") if error is not None else None
    code = code_value if isinstance(code_value, str) else ("gateway_error" if status >= 500 else "malformed_answer")
    detail = message_value if isinstance(message_value, str) else "unexpected answer from the gateway"
    message = f"serve({request.key!r}): {status} {code}: {detail}"
    if status == 401:
        return AuthenticationError(message, status=status, code=code)
    if status == 404:
        return PromptNotFoundError(message, status=status, code=code)
    if status == 400:
        return InvalidRequestError(message, status=status, code=code)
    if status == 429:
        return RateLimitedError(message, status=status, code=code, retry_after=parse_retry_after(answer.headers.get("retry-after")))
    if 400 <= status < 500:
        return PromptgateError(message, status=status, code=code)
    # 5xx, or a 200 (or 304, 3xx) that is not a prompt, such as a proxy's error page: an outage, not a refusal.
    return GatewayUnavailableError(message, status=status, code="malformed_answer" if status < 400 else code)


def parse_retry_after(header: Optional[str]) -> Optional[float]:
    if header is None or header.strip() == "":
        return None
    try:
        seconds = float(header)
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    except ValueError:
        pass
    try:
        at = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return float(max(0, math.ceil(at.timestamp() - time.time())))


# ---------------------------------------------------------------------------------------------
# What callers get


class ServedPrompt:
    """A served text prompt with what came with it (``serve_json``).

    ``source`` is where it came from: ``network`` (the gateway answered this call: 200, or 304
    confirming the cached copy), ``cache`` (from memory, within ``cache_ttl``, or a pinned version),
    ``stale`` (from memory past ``cache_ttl`` while a background request revalidates it, or the last
    good answer while the gateway fails) or ``fallback``. ``stale`` is true when this may not be the
    live version: ``stale`` and ``fallback`` answers, or the gateway said so (``x-prompt-stale``).
    """

    __slots__ = ("key", "version", "content", "unfilled_variables", "stale", "source")

    def __init__(self, key: str, version: Optional[int], content: str, unfilled_variables: List[str], stale: bool, source: str) -> None:
        self.key = key
        self.version = version
        self.content = content
        self.unfilled_variables = unfilled_variables
        self.stale = stale
        self.source = source

    def as_dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServedPrompt) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"ServedPrompt({self.as_dict()!r})"


def served_from(entry: CachedPrompt, source: str) -> ServedPrompt:
    if entry.type != "text" or entry.content is None:
        raise PromptTypeError(
            f"serve({entry.key!r}): this is a chat prompt, served as a list of messages: "
            f"use get_prompt({entry.key!r}) and its compile()"
        )
    return ServedPrompt(entry.key, entry.version, entry.content, list(entry.unfilled_variables), source == "stale" or entry.stale_at_gateway, source)


def served_fallback(request: ServeRequest, fallback: str) -> ServedPrompt:
    """The fallback gets the gateway's substitution rules, so a hard-coded template moved into it reads the same."""
    rendered = render_template(compile_template(fallback), dict(request.variables), None)
    assert rendered is not None
    return ServedPrompt(request.key, None, rendered.content, rendered.unfilled, True, "fallback")


class Prompt:
    """A prompt, text or chat, as ``get_prompt`` returns it.

    ``type`` is ``"text"`` (``content`` is a string, ``messages`` is ``None``) or ``"chat"``
    (``messages`` is a list, ``content`` is ``None``); ``version`` is ``None`` for a fallback;
    ``config`` is the model configuration the version was reviewed with (``{}`` when none);
    ``variables`` and ``placeholders`` list what ``compile`` fills; ``stale`` and ``source`` are
    as for :class:`ServedPrompt`.
    """

    __slots__ = ("key", "type", "version", "content", "messages", "config", "variables", "placeholders", "stale", "source", "_compiled")

    def __init__(
        self, key: str, type: str, version: Optional[int], content: Optional[str], messages: Optional[List[Message]],
        config: Dict[str, Any], stale: bool, source: str, compiled: Union[CompiledTemplate, CompiledMessages],
    ) -> None:
        self.key = key
        self.type = type
        self.version = version
        self.content = content
        self.messages = messages
        self.config = config
        self.stale = stale
        self.source = source
        self._compiled = compiled
        self.variables: List[str] = list(compiled.variables)
        self.placeholders: List[str] = list(compiled.placeholders) if isinstance(compiled, CompiledMessages) else []

    def compile(self, variables: Optional[Variables] = None, placeholders: Optional[Placeholders] = None) -> Union[str, List[Message]]:
        """Substitutes ``variables`` (and, for a chat prompt, fills ``placeholders``) exactly as the gateway does.

        A text prompt returns a string; a chat prompt a list of messages, each placeholder given in
        ``placeholders`` replaced by its messages (inserted as they are), one not given left in place
        as ``{"role": "placeholder", "name": ...}``. A variable without a value stays ``{{name}}``.
        """
        call = f"compile({self.key!r})"
        values = dict(variable_pairs(call, variables))
        compiled = self._compiled
        given = None if placeholders is None else as_mapping(cast(object, placeholders))
        if placeholders is not None and given is None:
            raise ConfigurationError(f"{call}: placeholders must be a mapping of name -> list of messages")
        if isinstance(compiled, CompiledTemplate):
            rendered = render_template(compiled, values)
            if rendered is None:
                raise PromptgateError(f"{call}: the prompt with these variables would be over 1 MiB", status=None, code="rendered_too_large")
            return rendered.content
        fills: Dict[str, List[Message]] = {}
        for name, fill in (given or {}).items():
            listed = as_list(fill)
            if listed is None or not all(is_message(m, False) for m in listed):
                raise ConfigurationError(
                    f"{call}: placeholder {name!r} must be a list of messages {{'role': system|user|assistant, 'content': str}}"
                )
            fills[str(name)] = copy_messages(listed)
        chat = render_messages(compiled, values, fills)
        if chat is None:
            raise PromptgateError(f"{call}: the messages with these values would be over 1 MiB", status=None, code="rendered_too_large")
        return chat.messages

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(key={self.key!r}, type={self.type!r}, version={self.version!r}, "
            f"stale={self.stale!r}, source={self.source!r})"
        )


class TextPrompt(Prompt):
    """A text prompt: ``compile`` returns the string."""

    __slots__ = ()
    content: str

    def compile(self, variables: Optional[Variables] = None, placeholders: Optional[Placeholders] = None) -> str:
        result = super().compile(variables, placeholders)
        assert isinstance(result, str)
        return result


class ChatPrompt(Prompt):
    """A chat prompt: ``compile`` returns the list of messages."""

    __slots__ = ()
    messages: List[Message]

    def compile(self, variables: Optional[Variables] = None, placeholders: Optional[Placeholders] = None) -> List[Message]:
        result = super().compile(variables, placeholders)
        assert isinstance(result, list)
        return result


def prompt_from(entry: CachedPrompt, source: str) -> Prompt:
    stale = source == "stale" or entry.stale_at_gateway
    config = copy.deepcopy(entry.config)
    if entry.type == "chat":
        return ChatPrompt(entry.key, "chat", entry.version, None, copy.deepcopy(entry.messages), config, stale, source, entry.compiled())
    return TextPrompt(entry.key, "text", entry.version, entry.content, None, config, stale, source, entry.compiled())


def prompt_from_fallback(key: str, fallback: Union[str, List[Message]]) -> Prompt:
    if isinstance(fallback, str):
        return TextPrompt(key, "text", None, fallback, None, {}, True, "fallback", compile_template(fallback))
    return ChatPrompt(key, "chat", None, None, copy.deepcopy(fallback), {}, True, "fallback", compile_messages(fallback))
