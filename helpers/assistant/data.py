"""The assistant's data: the records in `data/assistant/`, rendered as the endpoint serves them, and tokenized.

`render(record)` turns a training record into (prompt, answer) text with the endpoint's own
`chat_format.prompt_text`, so the model is trained on exactly what it is served; `encode` tokenizes it
with llama.cpp's tokenizer and `token_batches` groups examples by length. `shared_spans` and
`contaminated` keep the held-out set apart from the training data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import chat_format
from ..paths import data_dir

KINDS = ("fact", "json", "tool", "rag", "classify", "constraint", "multiturn", "arith", "code")
NOT_IN_SOURCES = "The sources do not say."


def assistant_dir() -> Path:
    return data_dir() / "assistant"


def load_records(split: str = "train") -> list[dict[str, Any]]:
    """`train` (every `train/*.jsonl`, sorted by file) or `heldout`."""
    files = sorted((assistant_dir() / "train").glob("*.jsonl")) if split == "train" else [assistant_dir() / "heldout.jsonl"]
    if split not in ("train", "heldout"):
        raise ValueError(f"Unknown split {split!r}; choose train or heldout.")
    records = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def _choice(record: dict[str, Any]) -> Any:
    choice = record.get("tool_choice") or "auto"
    return "any" if choice == "required" else choice


def _schema_order(value: Any, schema: dict[str, Any] | None) -> Any:
    """A JSON value with object keys in the order llama.cpp's grammar writes them: required first, in schema order."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        props = list(schema["properties"])
        required = [k for k in props if k in (schema.get("required") or [])]
        order = required + [k for k in props if k not in required]
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        return {k: _schema_order(value[k], schema["properties"].get(k)) for k in keys}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_schema_order(v, schema["items"]) for v in value]
    return value


def _response_schema(record: dict[str, Any]) -> dict[str, Any] | None:
    fmt = record.get("response_format") or {}
    return chat_format.response_schema(fmt) if fmt.get("type") == "json_schema" else None


def target_text(record: dict[str, Any]) -> str:
    """The text the model should write for the record's final assistant message, as the endpoint serves it."""
    answer = record["messages"][-1]
    tools, choice = record.get("tools"), _choice(record)
    if answer.get("tool_calls"):
        by_name = {t["function"]["name"]: t["function"].get("parameters") for t in tools or []}
        calls = []
        for call in answer["tool_calls"]:
            name = call["function"]["name"]
            arguments = json.loads(call["function"].get("arguments") or "{}")
            calls.append({"name": name, "arguments": _schema_order(arguments, by_name.get(name))})
        return chat_format.call_json(calls)
    content = chat_format.text_of(answer.get("content"))
    if tools and choice != "none":
        return json.dumps({"answer": content}, ensure_ascii=False)
    schema = _response_schema(record)
    if schema is not None:
        return json.dumps(_schema_order(json.loads(content), schema), ensure_ascii=False)
    return content


def render(record: dict[str, Any]) -> tuple[str, str]:
    """(prompt, answer) text of a training record: the prompt exactly as the endpoint renders the request."""
    messages = record["messages"]
    if not messages or messages[-1].get("role") != "assistant":
        raise ValueError("A training record ends with the assistant's answer.")
    tools = record.get("tools")
    response_format = None if tools else record.get("response_format")
    prompt = chat_format.prompt_text(chat_format.CHATML_HANDLER, messages[:-1], tools, _choice(record),
                                     response_format=response_format)
    return prompt, target_text(record) + chat_format.IM_END


@dataclass
class Encoded:
    """A tokenized record: ids and labels (-100 on the prompt), and its kind."""

    input_ids: list[int]
    labels: list[int]
    kind: str


def encode(vocab: Any, record: dict[str, Any]) -> Encoded:
    """Tokenize with llama.cpp's own tokenizer (`vocab`: a `Llama(..., vocab_only=True)`), as the server does.

    The prompt is tokenized alone (BOS as llama.cpp adds it) and the answer after it, exactly as the
    served model reads the prompt and then writes the answer token by token.
    """
    from ..finetune import label_mask

    prompt, answer = render(record)
    prompt_ids = vocab.tokenize(prompt.encode(), add_bos=True, special=True)
    answer_ids = vocab.tokenize(answer.encode(), add_bos=False, special=True)
    ids = prompt_ids + answer_ids
    return Encoded(ids, label_mask(ids, len(prompt_ids)), record.get("kind", ""))


def token_batches(lengths: Sequence[int], tokens_per_batch: int, seed: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (little padding), in a seeded random order."""
    import random

    rng = random.Random(seed)
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = max([lengths[j] for j in current] + [lengths[i]])
        if current and width * (len(current) + 1) > tokens_per_batch:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


# ----------------------------------------------------------------------------------- held-out test
def normalised_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _request_words(record: dict[str, Any]) -> list[str]:
    return normalised_words(" ".join(chat_format.text_of(m.get("content")) for m in record["messages"]))


def shared_spans(heldout: Sequence[dict[str, Any]], train: Sequence[dict[str, Any]], n: int = 6) -> list[tuple[str, str]]:
    """(held-out id, shared words) for each held-out request sharing a run of `n` normalised words with training."""
    grams: set[tuple[str, ...]] = set()
    for record in train:
        words = _request_words(record)
        grams.update(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    found = []
    for record in heldout:
        words = _request_words(record)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) in grams:
                found.append((record["id"], " ".join(words[i:i + n])))
                break
    return found


def heldout_functions(heldout: Sequence[dict[str, Any]]) -> set[str]:
    """The function names the held-out code requests ask for."""
    return {spec["python"]["entry_point"] for r in heldout for spec in r["expect"] if "python" in spec}


def defined_functions(record: dict[str, Any]) -> set[str]:
    """Python functions a record defines or names (`def f(` or `` `f(`` in any message)."""
    text = " ".join(chat_format.text_of(m.get("content")) for m in record["messages"])
    return set(re.findall(r"def (\w+)\(", text)) | set(re.findall(r"`(\w+)\(", text))


def contaminated(record: dict[str, Any], heldout: Sequence[dict[str, Any]], n: int = 6) -> bool:
    """Whether a training record shares a run of `n` words or a function task with the held-out set."""
    return bool(shared_spans(heldout, [record], n) or defined_functions(record) & heldout_functions(heldout))
