"""A property test: the same generated prompts, variables and placeholder fills through Python's
``compile`` and through the real gateway give the same text and the same messages.

Inputs come from ``random.Random`` with fixed seeds (reproducible, bounded in count): prompts are
created through the registry and approved, then each is rendered with several generated sets of
values, locally and by the gateway (``POST /v1/serve/:key``, and for text prompts the SDK's own
``serve``, which sends the variables in the query string).
"""

from __future__ import annotations

import random
import unittest
from typing import Any, Dict, List, Tuple

import _support
from _support import API_KEY, GATEWAY_URL, TIMEOUT, Registry, gateway_json, live, unique_key, until

from promptgate import Promptgate

SEEDS = (1, 2, 3)
PROMPTS_PER_SEED = 8
RENDERS_PER_PROMPT = 3
NAMES = ("a", "b_1", "C", "d9")
PIECES = (
    "{{a}}", "{{b_1}}", "{{C}}", "{{d9}}", "{{missing}}", "{{", "}}", "{{a}", "{a}}", "{{ a }}", "{{{a}}}", "{{a-b}}", "{{}}",
    " ", "  ", "\n", "\t", "&", "=", "?", "#", "%", "%20", "+", "/", "\\", "$1", "\"", "'", "<b>", "é", "日本", "🚀", "Ω", "\u00a0",
    "text", "Hello", "vars=a=b", "a=b&c=d",
)


def generated_text(rng: random.Random, min_pieces: int = 0) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(min_pieces, 9)))


def generated_values(rng: random.Random) -> Dict[str, str]:
    return {name: generated_text(rng) for name in rng.sample(NAMES, rng.randrange(0, len(NAMES) + 1))}


def generated_fills(rng: random.Random, placeholders: List[str]) -> Dict[str, List[Dict[str, str]]]:
    fills: Dict[str, List[Dict[str, str]]] = {}
    for name in placeholders + ["not_in_prompt"]:
        if rng.random() < 0.7:
            fills[name] = [{"role": rng.choice(("system", "user", "assistant")), "content": generated_text(rng)} for _ in range(rng.randrange(0, 3))]
    return fills


def generated_prompt(rng: random.Random) -> Tuple[str, Any]:
    """("text", content) or ("chat", messages); text content is never empty, as the registry requires."""
    if rng.random() < 0.5:
        return "text", "P " + generated_text(rng)
    messages: List[Dict[str, str]] = []
    for i in range(rng.randrange(1, 5)):
        if rng.random() < 0.3:
            messages.append({"role": "placeholder", "name": f"slot_{i}"})
        else:
            messages.append({"role": rng.choice(("system", "user", "assistant")), "content": generated_text(rng)})
    if all(m["role"] == "placeholder" for m in messages):
        messages.append({"role": "user", "content": generated_text(rng, 1)})
    return "chat", messages


@live
class CompileAgreesWithTheGatewayTest(unittest.TestCase):
    def test_generated_prompts_compile_as_the_gateway_serves_them(self) -> None:
        registry = Registry()
        pg = Promptgate(API_KEY, GATEWAY_URL, timeout=TIMEOUT)
        cases: List[Tuple[str, str, Any, random.Random]] = []
        for seed in SEEDS:
            rng = random.Random(seed)
            for i in range(PROMPTS_PER_SEED):
                kind, body = generated_prompt(rng)
                key = unique_key(f"prop-{seed}-{i}")
                if kind == "text":
                    registry.live_prompt(key, content=body)
                else:
                    registry.live_prompt(key, messages=body)
                cases.append((key, kind, body, rng))

        compared = 0
        for key, kind, body, rng in cases:
            until(lambda: gateway_json_or_none(key) is not None, 30.0, f"the gateway serving {key}")
            prompt = pg.get_prompt(key)
            self.assertEqual(prompt.type, kind)
            if kind == "text":
                self.assertEqual(prompt.content, body)
            else:
                self.assertEqual(prompt.messages, body)
            for _ in range(RENDERS_PER_PROMPT):
                values = generated_values(rng)
                fills = generated_fills(rng, prompt.placeholders)
                local = prompt.compile(values, fills)
                served = gateway_json(key, {"variables": values, "placeholders": fills})
                context = f"{key} {body!r} with {values!r} and {fills!r}"
                if kind == "text":
                    self.assertEqual(local, served["content"], context)
                    self.assertEqual(local, pg.serve(key, values), context)  # vars in the query string
                else:
                    self.assertEqual(local, served["messages"], context)
                compared += 1
        self.assertEqual(compared, len(SEEDS) * PROMPTS_PER_SEED * RENDERS_PER_PROMPT)


def gateway_json_or_none(key: str) -> Any:
    try:
        return gateway_json(key)
    except AssertionError:
        return None


_ = _support

if __name__ == "__main__":
    unittest.main()
