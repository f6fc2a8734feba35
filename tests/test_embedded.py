"""The embedded models: checksummed, deterministic, and what they claim to be."""

from __future__ import annotations

import json

import pytest

from helpers.engine import chat_format, chat_handlers, tool_grammar
from helpers.engine.embedded import (
    CHAT_ALIAS,
    SMOLLM_ALIAS,
    TINY_MISTRAL_CONFIG,
    _manifest,
    assistant_adapter,
    build_tiny_mistral,
    embedded_model_info,
    prepare_all,
    prepare_gemma_model,
    prepare_smollm_model,
    sha256_of,
)


def test_prepare_is_idempotent_and_checksummed():
    paths = prepare_all(progress=False)
    gguf = prepare_gemma_model(progress=False)
    assert gguf == paths["standin-gemma-3-270m"]
    assert sha256_of(gguf) == embedded_model_info()["standin-gemma-3-270m"]["sha256"]
    assert (gguf.parent / "GEMMA_TERMS.html").exists()


def test_smollm_is_taken_from_its_package_with_its_licence():
    gguf = prepare_smollm_model(progress=False)
    assert gguf == prepare_all(progress=False)[SMOLLM_ALIAS]
    assert sha256_of(gguf) == embedded_model_info()[SMOLLM_ALIAS]["sha256"]
    assert "Apache License" in (gguf.parent / "LICENSE-Apache-2.0.txt").read_text()


def test_the_assistant_adapter_is_committed_small_and_checked(tmp_path, monkeypatch):
    path = assistant_adapter()
    assert path.stat().st_size < 20e6
    assert embedded_model_info()[CHAT_ALIAS]["base"] == SMOLLM_ALIAS
    # a changed adapter file is refused: setup never serves an adapter other than the recorded one
    from helpers.engine import embedded

    (tmp_path / "assistant").mkdir()
    (tmp_path / "assistant" / path.name).write_bytes(path.read_bytes()[:-1] + b"x")
    monkeypatch.setattr(embedded, "data_dir", lambda: tmp_path)
    with pytest.raises(RuntimeError, match="does not match the sha256"):
        embedded.assistant_adapter()


def test_chatml_prompt_keeps_the_system_turn_and_writes_calls_as_the_model_does():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Check 1.2.3.4"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "abcdefghi", "type": "function",
                                                               "function": {"name": "lookup", "arguments": '{"ip": "1.2.3.4"}'}}]},
        {"role": "tool", "name": "lookup", "tool_call_id": "abcdefghi", "content": "clean"},
    ]
    prompt = chat_format.chatml_prompt(messages)
    assert prompt == ('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCheck 1.2.3.4<|im_end|>\n'
                      '<|im_start|>assistant\n{"name": "lookup", "arguments": {"ip": "1.2.3.4"}}<|im_end|>\n'
                      '<|im_start|>tool\n{"name": "lookup", "content": "clean"}<|im_end|>\n<|im_start|>assistant\n')
    assert chat_format.prompt_text(chat_format.CHATML_HANDLER, messages[1:2]) == \
        "<|im_start|>user\nCheck 1.2.3.4<|im_end|>\n<|im_start|>assistant\n"


def test_json_mode_is_named_in_the_assistants_prompt_and_plain_requests_stay_plain():
    from helpers.engine.chat_handlers import request_prompt

    user = [{"role": "user", "content": "Colour of the sky?"}]
    schema = {"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}
    plain = request_prompt(chat_format.CHATML_HANDLER, {"messages": user})
    as_object = request_prompt(chat_format.CHATML_HANDLER, {"messages": user, "response_format": {"type": "json_object"}})
    # The API's json_schema shape and the one the endpoint hands the handler render the same prompt.
    api_shape = {"type": "json_schema", "json_schema": {"name": "sky", "schema": schema}}
    with_schema = request_prompt(chat_format.CHATML_HANDLER, {"messages": user, "response_format": api_shape})
    served_shape = {"type": "json_object", "schema": schema}
    assert request_prompt(chat_format.CHATML_HANDLER, {"messages": user, "response_format": served_shape}) == with_schema
    assert "JSON" not in plain
    assert as_object.startswith("<|im_start|>system\nReply with one JSON object and nothing else.<|im_end|>")
    assert '"required": ["colour"]' in with_schema and with_schema != as_object
    # Text mode, tool calls (whose instructions already ask for JSON) and the other formats carry no such line.
    text_mode = {"messages": user, "response_format": {"type": "text"}}
    assert request_prompt(chat_format.CHATML_HANDLER, text_mode) == plain
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    with_tools = request_prompt(chat_format.CHATML_HANDLER, {"messages": user, "tools": tools,
                                                             "response_format": {"type": "json_object"}})
    assert "Reply with one JSON object" not in with_tools
    # A top-level array schema (an Ollama `format`, say) is asked for as an array.
    numbers = {"type": "json_object", "schema": {"type": "array", "items": {"type": "integer"}}}
    assert "Reply with one JSON array and nothing else." in request_prompt(chat_format.CHATML_HANDLER,
                                                                           {"messages": user, "response_format": numbers})
    assert "JSON" not in request_prompt(chat_format.HANDLER_NAME, {"messages": user, "response_format": served_shape})


@pytest.mark.parametrize("written", [
    '{"answer": "It is a documentation',  # cut inside the answer's string
    '{"answer": "It is a documentation address."',  # cut after the closing quote, before the brace
])
def test_an_answer_cut_short_by_max_tokens_comes_back_as_its_text(written):
    from helpers.engine.chat_handlers import to_tool_response

    result = to_tool_response({"choices": [{"index": 0, "message": {"role": "assistant", "content": written},
                                            "finish_reason": "length"}]})
    choice = result["choices"][0]
    assert choice["message"]["content"].startswith("It is a documentation") and choice["finish_reason"] == "length"
    assert "tool_calls" not in choice["message"]


def test_tiny_mistral_is_built_deterministically(tmp_path):
    cached = prepare_all(progress=False)["tiny-mistral"]
    rebuilt = build_tiny_mistral(tmp_path / "again")
    assert _manifest(rebuilt) == json.loads((cached / ".manifest.json").read_text())


def test_tiny_mistral_has_the_mistral_architecture_and_v3_tokenizer():
    from mistral_common.protocol.instruct.messages import UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer
    from transformers import AutoConfig, AutoModelForCausalLM

    folder = prepare_all(progress=False)["tiny-mistral"]
    config = AutoConfig.from_pretrained(folder)
    assert config.model_type == "mistral" and config.num_key_value_heads == TINY_MISTRAL_CONFIG["num_key_value_heads"]
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert 15e6 < sum(p.numel() for p in model.parameters()) < 25e6
    tokenizer = MistralTokenizer.from_file(str(folder / "tokenizer.model.v3"))
    tokens = tokenizer.encode_chat_completion(ChatCompletionRequest(messages=[UserMessage(content="Hi")])).tokens
    assert tokens[:2] == [1, 3] and tokens[-1] == 4  # <s> [INST] ... [/INST]
    assert max(tokens) < config.vocab_size


def test_render_turns_folds_system_and_renders_tools():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Check 1.2.3.4"}]},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "abcdefghi", "type": "function",
                                                             "function": {"name": "lookup", "arguments": '{"ip": "1.2.3.4"}'}}]},
        {"role": "tool", "name": "lookup", "tool_call_id": "abcdefghi", "content": "clean"},
    ]
    turns = chat_format.render_turns(messages)
    assert turns[0] == ("user", "Be brief.\n\nCheck 1.2.3.4")
    assert turns[1][0] == "assistant" and "[TOOL_CALLS]" in turns[1][1] and "lookup" in turns[1][1]
    assert turns[2][0] == "user" and "[TOOL_RESULTS]" in turns[2][1] and "clean" in turns[2][1]
    prompt = chat_format.gemma_prompt(turns)
    assert prompt.endswith("<start_of_turn>model\n") and prompt.count("<end_of_turn>") == 3


def test_tool_call_schema_by_choice():
    tools = [{"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {}}}} for n in "ab"]
    assert len(tool_grammar.tool_call_schema(tools, "any")["anyOf"]) == 2
    assert len(tool_grammar.tool_call_schema(tools, "auto")["anyOf"]) == 3  # plus a plain answer
    named = tool_grammar.tool_call_schema(tools, {"type": "function", "function": {"name": "b"}})
    assert named["properties"]["name"] == {"const": "b"}
    with pytest.raises(ValueError, match="not among the tools sent: a, b"):
        tool_grammar.tool_call_schema(tools, {"type": "function", "function": {"name": "c"}})


@pytest.mark.slow  # loads its own llama.cpp model in process: about 4 s on 2 cores
def test_a_request_is_rendered_and_its_grammar_converted_once(monkeypatch):
    """The endpoint's checks and the chat handler share one rendering and one schema-to-grammar conversion."""
    import llama_cpp.llama_grammar
    from llama_cpp import Llama

    from helpers.engine import endpoint_guard
    from helpers.engine.endpoint_checks import MistralCompat

    renders: list[str] = []
    conversions: list[str] = []
    render, convert = chat_format._render, llama_cpp.llama_grammar.json_schema_to_gbnf
    monkeypatch.setattr(chat_format, "_render", lambda fmt, *a: renders.append(fmt) or render(fmt, *a))
    monkeypatch.setattr(llama_cpp.llama_grammar, "json_schema_to_gbnf", lambda s, *a, **k: conversions.append(s) or convert(s, *a, **k))

    fmt = chat_format.CHATML_HANDLER
    llama = Llama(model_path=str(prepare_smollm_model(progress=False)), n_ctx=2048, n_threads=1, verbose=False,
                  chat_handler=chat_handlers.make_handler(fmt))
    checks = MistralCompat(None, None, {"m": "chat"}, count_tokens=lambda model, text: len(llama.tokenize(text.encode())),
                           contexts={"m": 2048}, formats={"m": fmt}, vocabs={"m": llama._model.vocab})
    tools = [{"type": "function", "function": {"name": name, "description": what, "parameters": {
        "type": "object", "properties": {arg: {"type": "string"}}, "required": [arg]}}}
        for name, what, arg in [("get_weather", "Current weather in a city", "city"),
                                ("translate", "Translate a text to French", "text"),
                                ("find_book", "Find a book in the library by title", "title")]]
    payload = {"model": "m", "max_tokens": 24, "temperature": 0, "tools": tools, "tool_choice": "auto", "messages": [
        {"role": "user", "content": "Weather in Lyon?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "a1B2c3D4e", "type": "function",
                                                              "function": {"name": "get_weather", "arguments": "{\"city\": \"Lyon\"}"}}]},
        {"role": "tool", "name": "get_weather", "tool_call_id": "a1B2c3D4e", "content": "{\"temp_c\": 14}"},  # `name`: dropped by the server
        {"role": "user", "content": "And in Nantes?"}]}

    def one_request(forget_between: bool) -> tuple[int, int]:
        renders.clear(), conversions.clear(), chat_format._RENDERED.clear(), tool_grammar._gbnf.cache_clear()
        assert checks.bad_constraints(payload, "/v1/chat/completions") is None
        assert checks.too_long(payload, "/v1/chat/completions") is None
        if forget_between:
            chat_format._RENDERED.clear(), tool_grammar._gbnf.cache_clear()
        served = endpoint_guard.as_served(payload)  # what llama-cpp-python's server hands to create_chat_completion
        reply = llama.create_chat_completion(**{k: served[k] for k in ("messages", "tools", "tool_choice", "max_tokens",
                                                                      "temperature")})
        assert reply["choices"][0]["message"].get("tool_calls") or reply["choices"][0]["message"]["content"]
        return len(renders), len(conversions)

    try:
        assert one_request(forget_between=False) == (1, 1)
        assert one_request(forget_between=True) == (2, 2)  # the check sees a second rendering when there is one
    finally:
        llama.close()


def test_the_endpoint_keeps_its_chat_models_loaded_instead_of_reloading_them(monkeypatch):
    """llama-cpp-python's own holder closes the loaded model whenever a request names another one;
    `keep_models_loaded` keeps up to its limit loaded (the least recently used one goes beyond it)."""
    from llama_cpp.server import app as llama_server
    from llama_cpp.server.model import LlamaProxy
    from llama_cpp.server.settings import ModelSettings

    from helpers.engine.endpoint_app import keep_models_loaded

    def settings(alias, path):
        return ModelSettings(model=str(path), model_alias=alias, n_ctx=256, n_threads=1, verbose=False)

    models = [settings(SMOLLM_ALIAS, prepare_smollm_model(progress=False)),
              settings("gemma", prepare_gemma_model(progress=False))]
    monkeypatch.setattr(llama_server, "_llama_proxy", LlamaProxy(models=models))  # loads the first, as create_app does
    stock = llama_server._llama_proxy
    smollm = stock(None)
    assert stock("gemma") is not smollm and stock(SMOLLM_ALIAS) is not smollm  # the stock holder reloads: the failure

    monkeypatch.setattr(llama_server, "_llama_proxy", LlamaProxy(models=models))
    first = llama_server._llama_proxy(None)
    keep_models_loaded(2)
    holder = llama_server._llama_proxy
    assert holder(None) is first and holder(SMOLLM_ALIAS) is first  # the model create_app loaded is adopted
    gemma = holder("gemma")
    assert holder(SMOLLM_ALIAS) is first and holder("gemma") is gemma and holder("nope") is first
    assert holder.loaded() == ["gemma", SMOLLM_ALIAS]

    keep_models_loaded(1)  # adopts the same holder's state with a limit of one: switching reloads again
    one = llama_server._llama_proxy
    assert one(SMOLLM_ALIAS) is first and one("gemma") is not gemma and one.loaded() == ["gemma"]
    one.free()
    assert one.loaded() == []
