"""The tool loop: model, tool calls, your code, tool messages, answer, bounded by `max_rounds`."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from .calls import ExecutedCall, Toolbox, ToolLoopLimit, assistant_turn, call_parts


@dataclass
class ToolLoopResult:
    """What a tool loop did: the whole conversation, the rounds it took and every call it ran."""

    messages: list[dict[str, Any]]
    rounds: int
    max_rounds: int
    calls: list[ExecutedCall]
    answer: str
    responses: list[Any] = field(repr=False, default_factory=list)

    def table(self, width: int = 70):
        """One row per step: the model's tool calls, what each returned, and the final answer."""
        import pandas as pd

        rows = [{"round": c.round, "step": f"call {c.name}", "id": c.id, "arguments": c.arguments,
                 "result": textwrap.shorten(c.content, width), "ran": c.ok} for c in self.calls]
        rows.append({"round": self.rounds, "step": "final answer", "id": "", "arguments": "",
                     "result": textwrap.shorten(self.answer, width), "ran": ""})
        return pd.DataFrame(rows)


def run_tool_loop(client: Any, model: str, messages: list[dict[str, Any]], toolbox: Toolbox, *,
                  max_rounds: int = 4, tool_choice: Any = "auto", then_choice: Any = None,
                  parallel_tool_calls: bool = True, answer_max_tokens: int | None = None,
                  **request: Any) -> ToolLoopResult:
    """Model -> tool calls -> run them -> tool messages -> model, until the model answers in text.

    `tool_choice` is sent in the first round, `then_choice` (default: the same) in every later one;
    `answer_max_tokens` caps the rounds sent with tool choice "none" (the answer). Each round is one
    model call; when the model still asks for tools in round `max_rounds`, nothing more runs and
    ToolLoopLimit is raised.
    """
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1 (one model call).")
    then_choice = tool_choice if then_choice is None else then_choice
    transcript = [dict(m) for m in messages]
    responses, first_call = [], len(toolbox.executed)
    for round_ in range(1, max_rounds + 1):
        choice = tool_choice if round_ == 1 else then_choice
        options = dict(request, max_tokens=answer_max_tokens) if choice == "none" and answer_max_tokens else request
        response = client.chat.complete(model=model, messages=transcript, tools=toolbox.tools, tool_choice=choice,
                                        parallel_tool_calls=parallel_tool_calls, **options)
        responses.append(response)
        message = response.choices[0].message
        if not message.tool_calls:
            content = message.content if isinstance(message.content, str) else str(message.content or "")
            transcript.append({"role": "assistant", "content": content})
            return ToolLoopResult(transcript, round_, max_rounds, toolbox.executed[first_call:], content, responses)
        if round_ == max_rounds:
            asked = ", ".join(name for _, name, _ in map(call_parts, message.tool_calls))
            raise ToolLoopLimit(
                f"Stopped: after {max_rounds} model round(s) (max_rounds={max_rounds}) the model still asked for tools "
                f"({asked}) instead of answering; those calls were not run. Raise max_rounds if the task needs more "
                "steps, or ask for the answer with then_choice='none'.", transcript)
        transcript.append(assistant_turn(message))
        transcript.extend(toolbox.execute(call, round_) for call in message.tool_calls)
    raise AssertionError("unreachable")  # the loop returns or raises in its last round
