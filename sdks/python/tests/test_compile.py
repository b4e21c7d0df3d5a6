"""compile() and the ported renderer: the gateway's rules, edge case by edge case (no server needed)."""

from __future__ import annotations

import random
import unittest

import _support  # noqa: F401 - puts the source folder on sys.path

from promptgate import ChatPrompt, ConfigurationError, PromptgateError
from promptgate._core import prompt_from_fallback
from promptgate._portable import (
    compile_messages,
    compile_template,
    render_messages,
    render_template,
    utf8_byte_length,
)

CHAT = [
    {"role": "system", "content": "You are a support agent for {{company}}. Sign as {{agent}}."},
    {"role": "placeholder", "name": "history"},
    {"role": "user", "content": "{{question}}"},
    {"role": "assistant", "content": ""},
]


def text(content: str, values: dict) -> str:
    rendered = render_template(compile_template(content), values)
    assert rendered is not None
    return rendered.content


class TemplateTest(unittest.TestCase):
    def test_substitutes_each_occurrence_and_lists_unfilled_once_in_order(self) -> None:
        rendered = render_template(compile_template("{{b}} {{a}} {{b}} {{c}}"), {"a": "1"})
        assert rendered is not None
        self.assertEqual(rendered.content, "{{b}} 1 {{b}} {{c}}")
        self.assertEqual(rendered.unfilled, ["b", "c"])

    def test_only_exact_names_of_letters_digits_and_underscores_are_variables(self) -> None:
        values = {"a": "X", "b_1": "Y", "A9": "Z"}
        self.assertEqual(text("{{ a }} {{a }} {{a}", values), "{{ a }} {{a }} {{a}")
        self.assertEqual(text("{{a-b}} {{a.b}} {{}} {{é}}", values), "{{a-b}} {{a.b}} {{}} {{é}}")
        self.assertEqual(text("{{{a}}} {{{{b_1}}}} {{A9}}", values), "{X} {{Y}} Z")
        self.assertEqual(text("{{a}}{{a}}", values), "XX")
        self.assertEqual(text("\\{{a}} $1 {{a}}\\", values), "\\X $1 X\\")
        self.assertEqual(text("{{\na}} {{a\n}}", values), "{{\na}} {{a\n}}")

    def test_a_value_is_inserted_as_is_and_never_scanned_again(self) -> None:
        self.assertEqual(text("{{a}} and {{b}}", {"a": "{{b}}", "b": "\\1 $& {{a}}"}), "{{b}} and \\1 $& {{a}}")

    def test_an_empty_value_is_a_value(self) -> None:
        rendered = render_template(compile_template("[{{a}}]"), {"a": ""})
        assert rendered is not None
        self.assertEqual((rendered.content, rendered.unfilled), ("[]", []))

    def test_variables_in_order_of_first_appearance(self) -> None:
        self.assertEqual(compile_template("{{c}} {{a}} {{c}} {{b}}").variables, ("c", "a", "b"))

    def test_utf8_length_counts_as_the_gateway_does(self) -> None:
        self.assertEqual(utf8_byte_length("aé日🚀"), 1 + 2 + 3 + 4)
        self.assertEqual(utf8_byte_length("\ud800"), 3)  # a lone surrogate: U+FFFD
        self.assertEqual(utf8_byte_length("\ud83d\ude80"), 4)  # a pair kept as two code points
        rng = random.Random(7)
        for _ in range(200):
            s = "".join(chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0x800), rng.randrange(0x800, 0xD800), rng.randrange(0x10000, 0x10FFFF)])) for _ in range(rng.randrange(0, 20)))
            self.assertEqual(utf8_byte_length(s), len(s.encode("utf-8")))

    def test_refuses_a_render_over_the_byte_limit_before_building_it(self) -> None:
        t = compile_template("{{x}}")
        self.assertIsNone(render_template(t, {"x": "é" * 6}, 11))
        self.assertIsNotNone(render_template(t, {"x": "é" * 5}, 11))
        self.assertIsNone(render_template(compile_template("x" * 12), {}, 11))
        self.assertIsNotNone(render_template(t, {"x": "é" * 10_000}, None))
        # An unfilled {{name}} counts as the text it stays.
        self.assertIsNone(render_template(compile_template("{{abcdefgh}}"), {}, 11))


class MessagesTest(unittest.TestCase):
    def test_substitutes_in_every_message_and_fills_placeholders_as_is(self) -> None:
        out = render_messages(
            compile_messages(CHAT),
            {"company": "Acme", "agent": "Ana", "question": "Refund {{company}}?"},
            {"history": [{"role": "user", "content": "hi {{company}}"}, {"role": "assistant", "content": "hello"}]},
        )
        assert out is not None
        self.assertEqual(out.messages, [
            {"role": "system", "content": "You are a support agent for Acme. Sign as Ana."},
            {"role": "user", "content": "hi {{company}}"},
            {"role": "assistant", "content": "hello"},
            {"role": "user", "content": "Refund {{company}}?"},
            {"role": "assistant", "content": ""},
        ])
        self.assertEqual((out.unfilled_variables, out.unfilled_placeholders), ([], []))

    def test_leaves_unfilled_variables_and_placeholders_in_place(self) -> None:
        out = render_messages(compile_messages([*CHAT, {"role": "user", "content": "{{question}} {{agent}}"}]), {"company": "Acme"})
        assert out is not None
        self.assertEqual(out.unfilled_variables, ["agent", "question"])
        self.assertEqual(out.unfilled_placeholders, ["history"])
        self.assertEqual(out.messages[1], {"role": "placeholder", "name": "history"})

    def test_an_empty_list_removes_a_placeholder_and_unknown_names_are_ignored(self) -> None:
        out = render_messages(compile_messages(CHAT), {}, {"history": [], "other": [{"role": "user", "content": "x"}]})
        assert out is not None
        self.assertEqual([m["role"] for m in out.messages], ["system", "user", "assistant"])

    def test_lists_variables_and_placeholders(self) -> None:
        compiled = compile_messages(CHAT)
        self.assertEqual(compiled.variables, ("company", "agent", "question"))
        self.assertEqual(compiled.placeholders, ("history",))

    def test_refuses_a_render_over_the_byte_limit_placeholders_included(self) -> None:
        one = compile_messages([{"role": "user", "content": "{{x}}"}])
        self.assertIsNone(render_messages(one, {"x": "é" * 6}, None, 11))
        self.assertIsNotNone(render_messages(one, {"x": "é" * 5}, None, 11))
        hole = compile_messages([{"role": "placeholder", "name": "h"}])
        self.assertIsNone(render_messages(hole, {}, {"h": [{"role": "user", "content": "x" * 12}]}, 11))

    def test_each_message_renders_as_the_text_renderer_renders_its_content(self) -> None:
        rng = random.Random(42)
        pieces = ["{{a}}", "{{b_1}}", "{{", "}}", "{{a}", "x", " ", "é", "🚀", "&="]
        for _ in range(300):
            contents = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7))) for _ in range(rng.randrange(1, 6))]
            values = {name: rng.choice(["", "v", "{{a}}", "日本"]) for name in rng.sample(["a", "b_1", "c"], rng.randrange(0, 4))}
            out = render_messages(compile_messages([{"role": "user", "content": c} for c in contents]), values)
            assert out is not None
            self.assertEqual([m["content"] for m in out.messages], [text(c, values) for c in contents])


class PromptCompileTest(unittest.TestCase):
    def test_text_prompt_compile_returns_the_string_and_takes_numbers_and_booleans(self) -> None:
        prompt = prompt_from_fallback("k", "{{n}} items, gift: {{gift}}, {{missing}}")
        self.assertEqual(prompt.variables, ["n", "gift", "missing"])
        self.assertEqual(prompt.compile({"n": 3, "gift": True}), "3 items, gift: true, {{missing}}")

    def test_chat_prompt_compile_fills_placeholders(self) -> None:
        prompt = prompt_from_fallback("k", CHAT)
        assert isinstance(prompt, ChatPrompt)  # a list fallback is a chat prompt: compile() gives messages
        self.assertEqual(prompt.placeholders, ["history"])
        self.assertEqual(prompt.compile({"company": "Acme"}, {"history": [{"role": "user", "content": "hi"}]})[1], {"role": "user", "content": "hi"})
        # The prompt's own messages are a copy: changing them does not change what compile renders.
        assert prompt.messages is not None
        prompt.messages[0]["content"] = "changed"
        self.assertTrue(prompt.compile()[0]["content"].startswith("You are a support agent"))

    def test_refuses_bad_variables_and_placeholders_before_rendering(self) -> None:
        prompt = prompt_from_fallback("k", CHAT)
        for variables in ({"bad-name": "x"}, {"a": None}, {"a": ["list"]}, ["not", "a", "mapping"], {"a\n": "x"}):
            with self.assertRaises(ConfigurationError):
                prompt.compile(variables)  # type: ignore[arg-type]
        for fills in ({"history": [{"role": "placeholder", "name": "x"}]}, {"history": [{"role": "tool", "content": "x"}]},
                      {"history": "text"}, {"history": [{"role": "user", "content": "x", "extra": 1}]}):
            with self.assertRaises(ConfigurationError):
                prompt.compile({}, fills)  # type: ignore[arg-type]

    def test_a_render_over_1_mib_is_an_error_with_its_code(self) -> None:
        with self.assertRaises(PromptgateError) as raised:
            prompt_from_fallback("k", "{{a}}{{a}}").compile({"a": "x" * (600 * 1024)})
        self.assertEqual(raised.exception.code, "rendered_too_large")


if __name__ == "__main__":
    unittest.main()
