"""The openai client against the same embedded endpoint (`/v1`)."""

from __future__ import annotations

import json

from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS

HELLO = [{"role": "user", "content": "Say hello"}]


def test_models_and_chat(oai, served_models):
    assert {m.id for m in oai.models.list().data} == served_models
    reply = oai.chat.completions.create(model=CHAT_ALIAS, messages=HELLO, max_tokens=8, temperature=0)
    assert reply.choices[0].message.content.strip() and reply.usage.completion_tokens <= 8


def test_stream_and_text_completion(oai):
    chunks = list(oai.chat.completions.create(model=CHAT_ALIAS, messages=HELLO, max_tokens=8, temperature=0, stream=True))
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) >= 2
    text = oai.completions.create(model=CHAT_ALIAS, prompt="1, 2, 3, 4,", max_tokens=6, temperature=0)
    assert any(ch.isdigit() for ch in text.choices[0].text)


def test_embeddings_default_base64_encoding(oai):
    # openai-python asks for base64 unless told otherwise and decodes it client-side.
    vectors = oai.embeddings.create(model=EMBED_ALIAS, input=["alpha", "beta"]).data
    assert [len(v.embedding) for v in vectors] == [384, 384]
    floats = oai.embeddings.create(model=EMBED_ALIAS, input="alpha", encoding_format="float").data[0].embedding
    assert max(abs(a - b) for a, b in zip(floats, vectors[0].embedding)) < 1e-5


def test_required_tool_choice(oai):
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"domain": {"type": "string", "maxLength": 30}}, "required": ["domain"]}}}
    reply = oai.chat.completions.create(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Is example.com bad?"}],
                                        tools=[tool], tool_choice="required", temperature=0)
    call = reply.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup" and isinstance(json.loads(call.function.arguments)["domain"], str)
