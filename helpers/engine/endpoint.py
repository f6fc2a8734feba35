"""The embedded endpoint: llama-cpp-python's server, plus what the official clients need from it.

Run it with `python -m helpers.engine.endpoint --port 8765` (what `make serve` does) or, from Python,
through `helpers.engine.serving.LocalEndpoint`, which starts this module in a child process.

llama-cpp-python's server already does chat, streaming, completions and grammar-constrained JSON.
Measured gaps with the unmodified `mistralai` SDK, and what this module adds for each:

* `models.list` needs `type` and `capabilities` per model        -> own `/v1/models` route
* embeddings: the SDK sends `inputs`, expects an `id`; OpenAI asks
  for base64 by default; the embedding model is a sentence model  -> own `/v1/embeddings` route
* `random_seed`, `tool_choice="any"`, `json_schema` response
  format, `content: null` on assistant tool-call turns              -> `MistralCompat` request rewrite
* tool_choice auto/any/named, system and tool messages            -> `helpers.engine.chat_handlers`
* `parallel_tool_calls` (default off here: a base model given the
  choice strings calls together; set it to True to allow up to 4)  -> a list of calls in one reply
* an unknown model name silently served by the default model      -> 404 listing the served models
* a JSON schema, tool schema or grammar llama.cpp cannot parse
  crashes the process at the first sampled token                  -> parsed by llama.cpp first; a 400 names it
* a new request aborts the stream in flight (interrupt_requests)  -> off: requests wait their turn
* one model in memory: a request to another alias reloads it     -> `endpoint_app.keep_models_loaded`
* no output limit, abandoned requests run on, SIGTERM waits for
  them, 500s with tracebacks, any web page may call, extra routes -> `helpers.engine.endpoint_guard`
* no Ollama API at all                                              -> `helpers.engine.ollama_api` under /api

Three chat models are built in: the default `standin-smollm2-135m-workbook` (SmolLM2-135M-Instruct with
the workbook's own LoRA adapter, which llama.cpp applies at load time), `standin-smollm2-135m` (the
same model as shipped) and `standin-gemma-3-270m` (a base model, for comparisons). Each has its own
prompt format and context limit, and requests are checked against the model they name.

Extra chat models (a fine-tuned GGUF, say) are served beside the defaults under their own alias
with `--chat-model ALIAS=PATH` (`LocalEndpoint(extra_models={ALIAS: PATH})`), in the prompt format
named by `--chat-format ALIAS=FORMAT` (`workbook-gemma` by default, `workbook-mistral-v3` for models
fine-tuned on Mistral's instruct format). llama-cpp-python's server keeps one model in memory at a time
and reloads the file whenever a request names another alias (2-3.5 s for the Gemma stand-in on 2 cores);
`endpoint_app.keep_models_loaded` makes it keep every chat model it has loaded, so switching costs
nothing after the first load (about 0.9 GB more memory once the Gemma stand-in has answered beside the others).

The code is in four modules, one concern each (this one keeps the command line and re-exports the rest):

* `helpers.engine.endpoint_checks`: `MistralCompat`, the ASGI middleware that checks and rewrites requests
  before they reach a model (`normalise_chat_request`, `MODEL_ROUTES`);
* `helpers.engine.endpoint_models`: the served chat models and their cards (`builtin_chat_models`,
  `extra_chat_settings`, `parse_assignments`, `alias_cards`, `model_card`);
* `helpers.engine.endpoint_app`: `build_app`, the ASGI app (llama-cpp-python's server, `/v1/models`,
  `/v1/embeddings`, Ollama's `/api`, `MistralCompat` in front);
* `helpers.engine.endpoint` (here): `serve` and `main`, the command line.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from . import chat_format
from . import endpoint_guard as guard
from .embedded import CHAT_ALIAS, EMBED_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS
from .endpoint_app import DEFAULT_CONTEXT, build_app, default_threads
from .endpoint_checks import MODEL_ROUTES, MistralCompat, normalise_chat_request
from .endpoint_models import (
    alias_cards,
    builtin_chat_models,
    extra_chat_settings,
    extra_model_info,
    model_card,
    parse_assignments,
)
from .serving import DEFAULT_PORT

__all__ = [  # what `helpers.engine.endpoint` offered before its split, importable from here as before
    "DEFAULT_CONTEXT", "MODEL_ROUTES", "MistralCompat", "alias_cards", "build_app", "builtin_chat_models",
    "default_threads", "extra_chat_settings", "extra_model_info", "main", "model_card", "normalise_chat_request",
    "parse_assignments", "serve",
]


def serve(app, port: int) -> None:
    """Run `app` on 127.0.0.1:`port` until SIGINT/SIGTERM, which stop running generations at once.

    uvicorn's graceful shutdown waits for requests in flight; setting `SHUTDOWN` makes each running
    generation end at its next token, and after a few seconds uvicorn stops waiting anyway.
    """
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            guard.SHUTDOWN.set()
            super().handle_exit(sig, frame)

    try:
        Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=3)).run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down (as uvicorn.run does, end quietly)
        pass


def main(argv: list[str] | None = None) -> None:
    """Serve in the foreground until Ctrl-C (or SIGTERM)."""
    parser = argparse.ArgumentParser(description="Serve the workbook's embedded models on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    parser.add_argument("--n-ctx", type=int, default=int(os.environ.get("WORKBOOK_CONTEXT", DEFAULT_CONTEXT)))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--api-key-env", default=None, help="name of an environment variable holding a key clients must send")
    parser.add_argument("--ollama", action="store_true", help="print how to reach the Ollama API (it is always served)")
    parser.add_argument("--chat-model", action="append", metavar="ALIAS=PATH",
                        help="serve a further chat model (a .gguf file) under ALIAS; repeatable")
    parser.add_argument("--alias", action="append", metavar="NAME=MODEL",
                        help="answer requests for NAME with a served MODEL (e.g. mistral-small-latest="
                             f"{CHAT_ALIAS}, to rehearse La Plateforme); repeatable")
    parser.add_argument("--chat-format", action="append", metavar="ALIAS=FORMAT",
                        help=f"prompt format of an extra chat model: {' or '.join(chat_format.CHAT_FORMATS)} "
                             f"(default {chat_format.HANDLER_NAME})")
    args = parser.parse_args(argv)
    api_key = os.environ.get(args.api_key_env) if args.api_key_env else None
    try:
        extra_models = parse_assignments(args.chat_model, "--chat-model path")
        chat_formats = parse_assignments(args.chat_format, "--chat-format format")
        extra_chat_settings(extra_models, chat_formats)
        aliases = parse_assignments(args.alias, "--alias model")
    except ValueError as exc:
        parser.error(str(exc))
    started = time.perf_counter()
    try:
        app = build_app(n_ctx=args.n_ctx, n_threads=args.threads, api_key=api_key, extra_models=extra_models,
                        chat_formats=chat_formats, aliases=aliases)
    except ValueError as exc:  # an alias naming a model that is not served
        parser.error(str(exc))
    base = f"http://127.0.0.1:{args.port}"
    print(f"Embedded endpoint loaded in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"  Mistral SDK:  Mistral(api_key='local', server_url='{base}')", flush=True)
    print(f"  OpenAI SDK:   OpenAI(api_key='local', base_url='{base}/v1')", flush=True)
    if args.ollama:
        print(f"  ollama:       ollama.Client(host='{base}'), or export OLLAMA_HOST=127.0.0.1:{args.port}", flush=True)
    print(f"  models:       {CHAT_ALIAS} (chat, default: SmolLM2-135M-Instruct + the workbook's LoRA adapter)", flush=True)
    print(f"                {SMOLLM_ALIAS} (chat, as shipped), {GEMMA_ALIAS} (chat, a base model), "
          f"{EMBED_ALIAS} (embeddings)", flush=True)
    for alias, path in extra_models.items():
        print(f"                {alias} (chat, {chat_formats.get(alias, chat_format.HANDLER_NAME)}, from {Path(path).name})",
              flush=True)
    for name, target in aliases.items():
        print(f"                {name} (answered by {target})", flush=True)
    print("  These are stand-ins, not Mistral models. Stop with Ctrl-C.", flush=True)
    serve(app, args.port)
    print("Embedded endpoint stopped.", flush=True)


if __name__ == "__main__":
    main()
