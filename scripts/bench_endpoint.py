"""Generation speed through the mistralai SDK vs llama-cpp-python called directly.

Same GGUF, same context size, threads, chat handler, prompt and greedy decoding; the SDK path adds
HTTP, JSON and the endpoint's request rewriting. Prints tokens/s for both and their ratio.

    make bench            # or: .venv/bin/python scripts/bench_endpoint.py --runs 5 --tokens 128
"""

from __future__ import annotations

import argparse
import statistics
import time

from helpers.engine import chat_handlers
from helpers.engine.embedded import CHAT_ALIAS, embedded_model_info
from helpers.engine.endpoint import builtin_chat_models
from helpers.engine.serving import LocalEndpoint, free_port

MESSAGES = [{"role": "user", "content": "Write a short story about a lighthouse keeper and a storm."}]


def tokens_per_second(call, runs: int) -> tuple[float, int]:
    """Median completion tokens per wall-clock second over `runs` calls (after one warm-up)."""
    call()
    rates, tokens = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        tokens = call()
        rates.append(tokens / (time.perf_counter() - started))
    return statistics.median(rates), tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    settings = dict(temperature=0, max_tokens=args.tokens)

    from mistralai.client import Mistral

    with LocalEndpoint(port=free_port(), threads=args.threads, say=print) as server:
        sdk = Mistral(api_key="local", server_url=server.base_url)

        def via_sdk() -> int:
            return sdk.chat.complete(model=CHAT_ALIAS, messages=MESSAGES, **settings).usage.completion_tokens

        sdk_rate, sdk_tokens = tokens_per_second(via_sdk, args.runs)

    from llama_cpp import Llama

    chat_handlers.register()
    spec = builtin_chat_models()[CHAT_ALIAS]
    context = embedded_model_info()[CHAT_ALIAS]["max_context"]
    llama = Llama(str(spec["path"]), lora_path=spec["lora"], n_ctx=context, n_threads=args.threads,
                  n_threads_batch=args.threads, seed=0, logits_all=False, chat_format=spec["format"], verbose=False)

    def direct() -> int:
        return llama.create_chat_completion(messages=MESSAGES, **settings)["usage"]["completion_tokens"]

    direct_rate, direct_tokens = tokens_per_second(direct, args.runs)
    print(f"tokens per call: SDK {sdk_tokens}, direct {direct_tokens} (threads={args.threads}, context={context})")
    print(f"mistralai SDK over HTTP : {sdk_rate:6.1f} tokens/s (median of {args.runs})")
    print(f"llama-cpp-python direct : {direct_rate:6.1f} tokens/s (median of {args.runs})")
    print(f"ratio SDK / direct      : {sdk_rate / direct_rate:.3f}  (target >= 0.95)")


if __name__ == "__main__":
    main()
