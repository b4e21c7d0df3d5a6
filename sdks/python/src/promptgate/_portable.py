"""Substituting ``{{variables}}`` and filling chat placeholders exactly as the gateway does.

A port of Promptgate's shared renderer (``libs/domain/src/portable/template.ts`` and
``messages.ts``, which the gateway serves with and the TypeScript SDK copies byte for byte).
The rules, kept identical:

- a variable is ``{{name}}`` with ``name`` of ``[A-Za-z0-9_]`` and nothing else inside the braces:
  ``{{ name }}``, ``{{name}`` or ``{{na-me}}`` are text;
- a value is inserted as is and never scanned again (a value holding ``{{x}}`` stays literal);
- a name without a value stays ``{{name}}`` and is listed once, in order of first appearance;
- a chat placeholder given a list of messages is replaced by them, copied as they are (never
  scanned for variables); an empty list removes it; one not given stays
  ``{"role": "placeholder", "name": ...}``; names the prompt lacks are ignored;
- a render over 1 MiB of UTF-8 (a lone surrogate counting as 3 bytes, as in UTF-16 JavaScript)
  is refused (``None``) before it is built.
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "MAX_RENDERED_BYTES",
    "MESSAGE_ROLES",
    "CompiledMessages",
    "CompiledTemplate",
    "RenderedMessages",
    "RenderedText",
    "compile_messages",
    "compile_template",
    "render_messages",
    "render_template",
    "utf8_byte_length",
]

VARIABLE = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")
"""API.md, "Variables": ``{{name}}`` with name of [A-Za-z0-9_]."""

MAX_RENDERED_BYTES = 1024 * 1024
"""API.md: a rendered answer over 1 MiB is ``422 rendered_too_large``."""

MESSAGE_ROLES = ("system", "user", "assistant")

Message = Dict[str, str]


def utf8_byte_length(text: str) -> int:
    """The UTF-8 length of ``text`` as the gateway counts it: a lone surrogate is 3 bytes (U+FFFD)."""
    total = 0
    skip = False
    length = len(text)
    for i, ch in enumerate(text):
        if skip:
            skip = False
            continue
        c = ord(ch)
        if c < 0x80:
            total += 1
        elif c < 0x800:
            total += 2
        elif 0xD800 <= c <= 0xDBFF and i + 1 < length and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            # A surrogate pair kept as two code points (Python strings rarely hold them): one character.
            total += 4
            skip = True
        elif c < 0x10000:
            total += 3
        else:
            total += 4
    return total


class CompiledTemplate:
    """A prompt split once at its variables: ``texts[0] + value(names[0]) + texts[1] + ... + texts[n]``."""

    __slots__ = ("texts", "names", "variables", "text_bytes")

    def __init__(self, texts: Tuple[str, ...], names: Tuple[str, ...]) -> None:
        self.texts = texts
        self.names = names
        # Each distinct name, in order of first appearance.
        self.variables: Tuple[str, ...] = tuple(dict.fromkeys(names))
        self.text_bytes = sum(utf8_byte_length(t) for t in texts)


def compile_template(content: str) -> CompiledTemplate:
    texts: List[str] = []
    names: List[str] = []
    last = 0
    for m in VARIABLE.finditer(content):
        texts.append(content[last:m.start()])
        names.append(m.group(1))
        last = m.end()
    texts.append(content[last:])
    return CompiledTemplate(tuple(texts), tuple(names))


class RenderedText:
    __slots__ = ("content", "unfilled")

    def __init__(self, content: str, unfilled: List[str]) -> None:
        self.content = content
        # Variables left as {{name}} because no value was given, distinct, in order of appearance.
        self.unfilled = unfilled


def rendered_byte_length(t: CompiledTemplate, values: Mapping[str, str]) -> int:
    """The UTF-8 size the render of ``t`` with ``values`` would have, computed without building it."""
    sizes: Dict[str, int] = {}
    total = t.text_bytes
    for name in t.names:
        n = sizes.get(name)
        if n is None:
            value = values.get(name)
            n = len(name) + 4 if value is None else utf8_byte_length(value)
            sizes[name] = n
        total += n
    return total


def render_template(
    t: CompiledTemplate, values: Mapping[str, str], max_bytes: Optional[float] = MAX_RENDERED_BYTES
) -> Optional[RenderedText]:
    """Substitutes ``values`` into ``t``; ``None`` when the result would be over ``max_bytes`` (``None``: no limit)."""
    limit = float("inf") if max_bytes is None else max_bytes
    if not t.names:
        return None if t.text_bytes > limit else RenderedText(t.texts[0], [])
    if limit != float("inf") and rendered_byte_length(t, values) > limit:
        return None
    out = [t.texts[0]]
    unfilled: List[str] = []
    for i, name in enumerate(t.names):
        value = values.get(name)
        if value is None:
            out.append("{{" + name + "}}")
            if name not in unfilled:
                unfilled.append(name)
        else:
            out.append(value)
        out.append(t.texts[i + 1])
    return RenderedText("".join(out), unfilled)


class _Part:
    __slots__ = ("role", "template", "name")

    def __init__(self, role: str, template: Optional[CompiledTemplate], name: Optional[str]) -> None:
        self.role = role
        self.template = template
        self.name = name


class CompiledMessages:
    """A chat version split once."""

    __slots__ = ("parts", "variables", "placeholders")

    def __init__(self, parts: Tuple[_Part, ...], variables: Tuple[str, ...], placeholders: Tuple[str, ...]) -> None:
        self.parts = parts
        # Each distinct variable name across the messages, in order of first appearance.
        self.variables = variables
        # The placeholder names, in order.
        self.placeholders = placeholders


def compile_messages(messages: Sequence[Mapping[str, str]]) -> CompiledMessages:
    variables: Dict[str, None] = {}
    placeholders: List[str] = []
    parts: List[_Part] = []
    for message in messages:
        if message["role"] == "placeholder":
            placeholders.append(message["name"])
            parts.append(_Part("placeholder", None, message["name"]))
            continue
        template = compile_template(message["content"])
        for name in template.variables:
            variables[name] = None
        parts.append(_Part(message["role"], template, None))
    return CompiledMessages(tuple(parts), tuple(variables), tuple(placeholders))


class RenderedMessages:
    __slots__ = ("messages", "unfilled_variables", "unfilled_placeholders")

    def __init__(self, messages: List[Message], unfilled_variables: List[str], unfilled_placeholders: List[str]) -> None:
        self.messages = messages
        self.unfilled_variables = unfilled_variables
        self.unfilled_placeholders = unfilled_placeholders


def render_messages(
    compiled: CompiledMessages,
    variables: Mapping[str, str],
    placeholders: Optional[Mapping[str, Sequence[Mapping[str, str]]]] = None,
    max_bytes: Union[int, float] = MAX_RENDERED_BYTES,
) -> Optional[RenderedMessages]:
    """Renders a compiled chat version; ``None`` when the contents would be over ``max_bytes`` together."""
    fills = placeholders or {}
    messages: List[Message] = []
    unfilled_variables: List[str] = []
    unfilled_placeholders: List[str] = []
    budget = max_bytes
    for part in compiled.parts:
        if part.template is None:
            name = part.name or ""
            fill = fills.get(name)
            if fill is None:
                unfilled_placeholders.append(name)
                messages.append({"role": "placeholder", "name": name})
                continue
            for message in fill:
                budget -= utf8_byte_length(message["content"])
                if budget < 0:
                    return None
                messages.append({"role": message["role"], "content": message["content"]})
            continue
        rendered = render_template(part.template, variables, budget)
        if rendered is None:
            return None
        budget -= utf8_byte_length(rendered.content)
        for name in rendered.unfilled:
            if name not in unfilled_variables:
                unfilled_variables.append(name)
        messages.append({"role": part.role, "content": rendered.content})
    return RenderedMessages(messages, unfilled_variables, unfilled_placeholders)
