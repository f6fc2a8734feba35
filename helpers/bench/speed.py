"""Speed: time to first token and tokens/s against prompt length, beside La Plateforme's (measured or recorded)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd


# ---------------------------------------------------------------------------------------- speed
def filler_prompt(words: int) -> str:
    """A prompt of `words` words from the Apache-2.0 licence text (repeated if needed)."""
    from ..gguf_tools import heldout_text

    source = heldout_text().split()
    text = (source * (words // len(source) + 1))[:words]
    return "Summarise this text in one sentence:\n\n" + " ".join(text)


def measure_speed(client: Any, model: str, word_counts: Sequence[int] = (40, 200, 750, 1500), *,
                  max_tokens: int = 32, progress: bool = True) -> pd.DataFrame:
    """Time to first token and tokens/s, streamed through the SDK, for prompts of growing length.

    Each length is streamed and timed with `helpers.chat.stream_with_stats`. The prompt's token count
    comes from the stream's final `usage`; only a backend whose stream reports none gets a second,
    non-streamed request (`max_tokens=1`) to read it, so no prompt is processed twice just to count it.
    """
    from tqdm.auto import tqdm

    from ..chat import stream_with_stats

    rows = []
    for words in tqdm(word_counts, desc="prompt lengths", disable=not progress):
        messages = [{"role": "user", "content": filler_prompt(words)}]
        stats = stream_with_stats(client, model, messages, max_tokens=max_tokens, temperature=0)
        prompt_tokens = getattr(stats.usage, "prompt_tokens", None)
        if not prompt_tokens:  # timed first: this request would leave the prompt in a server's cache
            prompt_tokens = client.chat.complete(model=model, messages=messages, max_tokens=1,
                                                 temperature=0).usage.prompt_tokens
        rows.append({"prompt tokens": prompt_tokens, "time to first token (s)": stats.ttft_s,
                     "tokens/s": stats.tokens_per_s, "completion tokens": stats.completion_tokens,
                     "total (s)": stats.total_s})
    return pd.DataFrame(rows).set_index("prompt tokens")


def plot_speed(tables: dict[str, pd.DataFrame], reference: dict[str, Any] | None = None) -> Any:
    """Time to first token and tokens/s against prompt length, one line per backend.

    `reference` (from `helpers.vllm_server.cloud_reference`) is drawn as dotted lines, labelled as
    recorded, not measured here.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, table in tables.items():
        left.plot(table.index, table["time to first token (s)"], marker="o", label=name)
        right.plot(table.index, table["tokens/s"], marker="o", label=name)
    if reference:
        tag = f"La Plateforme ({reference['label']})"
        left.axhline(reference["time_to_first_token_s"], color="grey", linestyle=":", label=tag)
        right.axhline(reference["output_tokens_per_s"], color="grey", linestyle=":", label=tag)
    left.set(xlabel="prompt tokens", ylabel="seconds", title="Time to first token grows with the prompt")
    right.set(xlabel="prompt tokens", ylabel="tokens/s after the first", title="Generation speed")
    right.set_ylim(bottom=0)
    for ax in (left, right):
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def speed_against_cloud(bk: Any, local: pd.DataFrame, *, cloud_model: str = "mistral-small-latest",
                        **kwargs: Any) -> tuple[dict[str, pd.DataFrame], dict[str, Any] | None, str]:
    """The speed lines to plot beside `local` (measured on `bk`), and one sentence saying what they are.

    With MISTRAL_API_KEY set (and `bk` not already La Plateforme), La Plateforme is measured with the
    same prompts now. Without a key, the recorded reference figures of `data/cloud_latency.json`
    (`helpers.vllm_server.cloud_reference`) are returned instead, labelled as not measured here.
    """
    from ..backends import connect
    from ..vllm_server import cloud_reference

    tables = {f"{bk.name}: {bk.chat_model}": local}
    if bk.name == "mistral":
        return tables, None, "This backend is La Plateforme itself: the line above is the cloud, measured now."
    if os.environ.get("MISTRAL_API_KEY"):
        cloud = connect("mistral", cloud_model, quiet=True)
        tables[f"mistral: {cloud.chat_model}"] = measure_speed(cloud.client, cloud.chat_model, **kwargs)
        return tables, None, f"La Plateforme ({cloud.chat_model}) measured now with the same prompts."
    ref = cloud_reference(cloud_model)
    return tables, ref, (f"No MISTRAL_API_KEY: La Plateforme ({cloud_model}) is shown from recorded figures, "
                         f"~{ref['time_to_first_token_s']} s to first token and ~{ref['output_tokens_per_s']} "
                         f"tokens/s ({ref['label']}; {ref['source']}, {ref['as_of']}).")
