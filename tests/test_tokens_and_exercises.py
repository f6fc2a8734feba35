"""mistral-common encodings, and the exercise objects every notebook uses."""

from __future__ import annotations

from helpers.exercises import Exercise
from helpers.tokens import control_token_ids, encode_chat, tokens_per_character

TOOL = {"type": "function", "function": {"name": "search_database", "description": "Search indicators",
                                         "parameters": {"type": "object", "properties": {"indicator": {"type": "string"}}}}}


def test_v3_control_ids_match_mistral_7b_v03():
    ids = control_token_ids("v3")
    assert (ids["[INST]"], ids["[/INST]"], ids["[TOOL_CALLS]"], ids["[AVAILABLE_TOOLS]"]) == (3, 4, 5, 6)
    assert "[SYSTEM_PROMPT]" not in ids and "[SYSTEM_PROMPT]" in control_token_ids("v7")


def test_tool_round_trip_encoding_has_every_control_token():
    call = {"id": "abcdefghi", "function": {"name": "search_database", "arguments": {"indicator": "1.2.3.4"}}}
    encoded = encode_chat([
        {"role": "user", "content": "Check 1.2.3.4"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "name": "search_database", "tool_call_id": "abcdefghi", "content": "malicious"},
    ], tools=[TOOL])
    names = [name for _, name in encoded.control_tokens]
    assert names == ["<s>", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[INST]", "[/INST]", "[TOOL_CALLS]",
                     "</s>", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"]
    assert "search_database" in encoded.text and len(encoded.pieces) == len(encoded.tokens)


def test_training_example_ends_with_eos_and_plain_text_costs_under_one_token_per_char():
    encoded = encode_chat([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}])
    assert encoded.tokens[-1] == 2 and encoded.text.endswith("Hello</s>")
    assert 0.1 < tokens_per_character("The quick brown fox jumps over the lazy dog.") < 0.5


def test_exercise_check_hint_solution(capsys):
    ex = Exercise("Double it", lambda a: None if a == 4 else f"{a} is not 2 × 2", hint="Multiply.", solution="answer = 2 * 2")
    assert ex.check(4) and "✓" in repr(ex.check(4))
    wrong = ex.check(5)
    assert not wrong and "5 is not 2 × 2" in repr(wrong)
    assert not ex.check(...) and "replace the `...`" in ex.check(...).message
    assert "raised TypeError" in ex.__class__("t", lambda a: a + 1, "h", "s").check("x").message
    ex.hint()
    ex.solution()
    out = capsys.readouterr().out
    assert "Multiply." in out and "answer = 2 * 2" in out
