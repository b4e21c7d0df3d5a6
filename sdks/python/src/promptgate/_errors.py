"""Every exception the SDK raises: all are ``PromptgateError``."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "GatewayTimeoutError",
    "GatewayUnavailableError",
    "InvalidRequestError",
    "PromptNotFoundError",
    "PromptTypeError",
    "PromptgateError",
    "RateLimitedError",
]


class PromptgateError(Exception):
    """The base of every SDK error.

    ``status`` is the gateway's HTTP status, or ``None`` when no answer came (network failure,
    timeout) or the SDK refused the call before sending it. ``code`` is the gateway's machine code
    (``invalid_api_key``, ``prompt_not_found``, ...) or one of the SDK's own (``invalid_config``,
    ``network_error``, ``timeout``, ``malformed_answer``, ``prompt_type_mismatch``,
    ``rendered_too_large``).
    """

    def __init__(self, message: str, *, status: Optional[int] = None, code: str = "promptgate_error") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class ConfigurationError(PromptgateError, ValueError):
    """A bad constructor argument or call argument: a programming error, never masked by a fallback."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=None, code="invalid_config")


class AuthenticationError(PromptgateError):
    """401: the API key is missing, malformed, unknown or revoked (``invalid_api_key``)."""


class PromptNotFoundError(PromptgateError):
    """404: no live version of this key in the API key's environment (``prompt_not_found``), or no such pinned version (``version_not_found``)."""


class InvalidRequestError(PromptgateError):
    """400: the gateway refused the request as invalid (``validation_failed``)."""


class RateLimitedError(PromptgateError):
    """429: over the API key's per-minute limit. ``retry_after`` is the gateway's ``retry-after``, in seconds (``None`` when it sent none)."""

    def __init__(self, message: str, *, status: Optional[int] = 429, code: str = "rate_limited", retry_after: Optional[float] = None) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class GatewayUnavailableError(PromptgateError):
    """The gateway could not be reached, answered 5xx, or answered something that is not a prompt, and nothing was cached nor given as a fallback."""


class GatewayTimeoutError(GatewayUnavailableError):
    """No answer within ``timeout`` seconds (``timeout``)."""


class PromptTypeError(PromptgateError):
    """``serve`` of a chat prompt, whose answer is a list of messages rather than a string: use ``get_prompt``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=None, code="prompt_type_mismatch")
