"""Promptgate's Python client: serve reviewed, versioned prompts from a Promptgate gateway.

    from promptgate import Promptgate

    pg = Promptgate()  # PROMPTGATE_API_KEY, PROMPTGATE_URL
    system = pg.serve("support.greeting", variables={"first_name": "Ada"}, fallback="You are ...")

Standard library only; see the package's README for the cache, fallback and error rules.
"""

from __future__ import annotations

from ._async_client import AsyncPromptgate
from ._client import Promptgate
from ._core import ChatPrompt, Message, Prompt, ServedPrompt, TextPrompt, VariableValue
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

__version__ = "0.1.0"

__all__ = [
    "AsyncPromptgate",
    "AuthenticationError",
    "ChatPrompt",
    "ConfigurationError",
    "GatewayTimeoutError",
    "GatewayUnavailableError",
    "InvalidRequestError",
    "Message",
    "Prompt",
    "PromptNotFoundError",
    "PromptTypeError",
    "Promptgate",
    "PromptgateError",
    "RateLimitedError",
    "ServedPrompt",
    "TextPrompt",
    "VariableValue",
    "__version__",
]
