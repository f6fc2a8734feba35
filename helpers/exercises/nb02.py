"""Exercises for notebook 02 · Chat and streaming with the mistralai SDK."""

from __future__ import annotations

import math
from typing import Any

from ..chat import load_prices
from .core import Exercise

# ---------------------------------------------------------------------------------------- q1
Q1_MODEL = "mistral-large-latest"
Q1_PROMPT_TOKENS = 1_500
Q1_COMPLETION_TOKENS = 500


def _q1(answer: Any) -> str | None:
    price = load_prices()[Q1_MODEL]
    right = price.cost(Q1_PROMPT_TOKENS, Q1_COMPLETION_TOKENS)
    value = float(answer)
    if math.isclose(value, right, rel_tol=1e-6):
        return None
    if math.isclose(value, right * 1_000_000, rel_tol=1e-6):
        return "that is a million times too much: prices are per million tokens, so divide tokens by 1,000,000."
    if math.isclose(value, right * 1_000, rel_tol=1e-6):
        return "that is a thousand times too much: the prices are per million tokens, not per thousand."
    swapped = (Q1_PROMPT_TOKENS * price.output + Q1_COMPLETION_TOKENS * price.input) / 1_000_000
    if math.isclose(value, swapped, rel_tol=1e-6):
        return "input and output prices are swapped: prompt tokens are billed at the input price."
    if math.isclose(value, (Q1_PROMPT_TOKENS + Q1_COMPLETION_TOKENS) * price.input / 1_000_000, rel_tol=1e-6):
        return "completion tokens are billed at the output price, which is higher than the input price."
    return (f"expected about ${right:.6f}; you gave {value!r}. Cost = prompt tokens x input price + "
            f"completion tokens x output price, with prices per million tokens.")


q1 = Exercise(
    "Cost of one request",
    _q1,
    hint=f"Look up {Q1_MODEL!r} with `chat.load_prices()[...]`: `.input` and `.output` are dollars per million "
    "tokens. Multiply each token count by its price and divide by 1,000,000.",
    solution=f"""
price = chat.load_prices()["{Q1_MODEL}"]
answer = ({Q1_PROMPT_TOKENS} * price.input + {Q1_COMPLETION_TOKENS} * price.output) / 1_000_000
""",
    explanation="Output tokens usually cost more than input tokens, so long answers dominate the bill.",
)

# ---------------------------------------------------------------------------------------- q2
SYSTEM = "You are a concise assistant for a model-serving team."
FIRST_QUESTION = "Which Mistral model would you run on a laptop?"
FIRST_REPLY = "Mistral 7B, quantized to 4 bits."
SECOND_QUESTION = "How much memory does it need?"
_NAMES = ["SYSTEM", "FIRST_QUESTION", "FIRST_REPLY", "SECOND_QUESTION"]


def _q2(answer: Any) -> str | None:
    expected = [("system", SYSTEM), ("user", FIRST_QUESTION), ("assistant", FIRST_REPLY), ("user", SECOND_QUESTION)]
    if not isinstance(answer, list) or not all(isinstance(m, dict) for m in answer):
        return "give a list of dicts, each with a 'role' and a 'content'."
    roles = [m.get("role") for m in answer]
    if "assistant" not in roles:
        return ("the assistant's first reply is missing. The API keeps no memory between calls: you send the "
                "whole history, the model's own earlier answer included.")
    if len(answer) != len(expected):
        return f"expected {len(expected)} messages (system, user, assistant, user); you gave {len(answer)}."
    for i, (message, (role, content)) in enumerate(zip(answer, expected)):
        if message.get("role") != role:
            return f"message {i} should have role {role!r}, not {message.get('role')!r}: roles go {', '.join(r for r, _ in expected)}."
        if message.get("content") != content:
            return f"message {i} ({role}) should carry the text nb02.{_NAMES[i]} exactly."
    return None

q2 = Exercise(
    "Messages for a two-turn conversation",
    _q2,
    hint="Four dicts, in the order the conversation happened: the system message, the first question, the "
    "assistant's first reply, the second question. Use the constants nb02.SYSTEM, nb02.FIRST_QUESTION, "
    "nb02.FIRST_REPLY and nb02.SECOND_QUESTION.",
    solution="""
answer = [
    {"role": "system", "content": nb02.SYSTEM},
    {"role": "user", "content": nb02.FIRST_QUESTION},
    {"role": "assistant", "content": nb02.FIRST_REPLY},
    {"role": "user", "content": nb02.SECOND_QUESTION},
]
""",
    explanation="The second call pays for every earlier message again: prompt tokens grow with each turn.",
)

# ---------------------------------------------------------------------------------------- q3
LICENCES = ("Apache-2.0", "MRL", "MNPL")


def _q3(answer: Any) -> str | None:
    from pydantic import BaseModel

    if not (isinstance(answer, type) and issubclass(answer, BaseModel)):
        return "give the class itself (a subclass of pydantic.BaseModel), not an instance or a dict."
    schema = answer.model_json_schema()
    props = schema.get("properties", {})
    missing = [f for f in ("name", "licence", "year") if f not in props]
    if missing:
        return f"the model needs the fields name, licence and year; missing: {', '.join(missing)}."
    extra = sorted(set(props) - {"name", "licence", "year"})
    if extra:
        return f"keep exactly the three fields; remove: {', '.join(extra)}."
    if sorted(schema.get("required", [])) != ["licence", "name", "year"]:
        return "all three fields must be required (no default values)."
    name = props["name"]
    if name.get("type") != "string" or not isinstance(name.get("maxLength"), int):
        return "name should be a string with a maximum length: `name: str = Field(max_length=30)`."
    if name["maxLength"] > 40:
        return "keep name's max_length at 40 or less, so that a small model cannot ramble inside the string."
    licence = props["licence"]
    if set(licence.get("enum", [])) != set(LICENCES):
        return f"licence should allow exactly {', '.join(LICENCES)}: `licence: Literal{list(LICENCES)}`."
    if props["year"].get("type") != "integer":
        return "year should be an integer (`year: int`), so the JSON carries a number, not a string."
    return None


q3 = Exercise(
    "A pydantic model for structured output",
    _q3,
    hint="`class Release(BaseModel)` with `name: str = Field(max_length=30)`, `licence: Literal[...]` with the "
    "three licence names in nb02.LICENCES, and `year: int`.",
    solution="""
from typing import Literal
from pydantic import BaseModel, Field

class Release(BaseModel):
    name: str = Field(max_length=30)
    licence: Literal["Apache-2.0", "MRL", "MNPL"]
    year: int
""",
    explanation="Bounded strings and enums keep a constrained decoder short and the output checkable.",
)
