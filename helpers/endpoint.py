"""The embedded endpoint: llama-cpp-python's server, plus what the official clients need from it.

Run it with `python -m helpers.endpoint --port 8765` (what `make serve` does) or, from Python,
through `helpers.serving.LocalEndpoint`, which starts this module in a child process.

llama-cpp-python's server already does chat, streaming, completions and grammar-constrained JSON.
Measured gaps with the unmodified `mistralai` SDK, and what this module adds for each:

* `models.list` needs `type` and `capabilities` per model        -> own `/v1/models` route
* embeddings: the SDK sends `inputs`, expects an `id`; OpenAI asks
  for base64 by default; the embedding model is a sentence model  -> own `/v1/embeddings` route
* `random_seed`, `tool_choice="any"`, `json_schema` response
  format, `content: null` on assistant tool-call turns              -> `MistralCompat` request rewrite
* tool_choice auto/any/named, system and tool messages            -> `helpers.chat_format` handler
* `parallel_tool_calls` (default off here: a base model given the
  choice strings calls together; set it to True to allow up to 4)  -> a list of calls in one reply
* an unknown model name silently served by the default model      -> 404 listing the served models
* a JSON schema, tool schema or grammar llama.cpp cannot parse
  crashes the process at the first sampled token                  -> parsed by llama.cpp first; a 400 names it
* a new request aborts the stream in flight (interrupt_requests)  -> off: requests wait their turn
* no output limit, abandoned requests run on, SIGTERM waits for
  them, 500s with tracebacks, any web page may call, extra routes -> `helpers.endpoint_guard`
* no Ollama API at all                                              -> `helpers.ollama_api` under /api

Three chat models are built in: the default `standin-smollm2-135m-workbook` (SmolLM2-135M-Instruct with
the workbook's own LoRA adapter, which llama.cpp applies at load time), `standin-smollm2-135m` (the
same model as shipped) and `standin-gemma-3-270m` (a base model, for comparisons). Each has its own
prompt format and context limit, and requests are checked against the model they name.

Extra chat models (a fine-tuned GGUF, say) are served beside the defaults under their own alias
with `--chat-model ALIAS=PATH` (`LocalEndpoint(extra_models={ALIAS: PATH})`), in the prompt format
named by `--chat-format ALIAS=FORMAT` (`workbook-gemma` by default, `workbook-mistral-v3` for models
fine-tuned on Mistral's instruct format). llama-cpp-python keeps one model in memory at a time, so
switching between aliases reloads the file (well under a second for the 270M stand-in).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from . import chat_format, ollama_api
from . import endpoint_guard as guard
from .embedded import (
    CHAT_ALIAS,
    EMBED_ALIAS,
    GEMMA_ALIAS,
    SMOLLM_ALIAS,
    assistant_adapter,
    embedded_model_info,
    prepare_embedding_model,
    prepare_gemma_model,
    prepare_smollm_model,
)
from .hardware import usable_cores
from .serving import DEFAULT_PORT

DEFAULT_CONTEXT = 32768
MODEL_ROUTES = ("/v1/chat/completions", "/v1/completions", "/v1/embeddings")


def normalise_chat_request(payload: dict[str, Any]) -> dict[str, Any]:
    """Rewrite Mistral-API fields into what llama-cpp-python's request model accepts."""
    payload = dict(payload)
    if "random_seed" in payload:
        seed = payload.pop("random_seed")
        if seed is not None:
            payload.setdefault("seed", seed)
    if "repetition_penalty" in payload:
        penalty = payload.pop("repetition_penalty")
        if penalty is not None:
            payload["repeat_penalty"] = penalty
    if payload.get("tool_choice") == "any":
        payload["tool_choice"] = "required"
    if isinstance(payload.get("tool_choice"), dict) and "type" not in payload["tool_choice"]:
        payload["tool_choice"] = {"type": "function", **payload["tool_choice"]}
    fmt = payload.get("response_format")
    if isinstance(fmt, dict):
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema") or {}
            payload["response_format"] = {"type": "json_object", "schema": spec.get("schema", spec.get("schema_definition", {}))}
        elif fmt.get("type") == "text":
            payload.pop("response_format")
    raw = payload.get("messages")
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        return payload  # not messages at all: the request model's validation says what is wrong
    messages = []
    for m in raw:
        m = {k: v for k, v in m.items() if v is not None or k == "content"}
        if m.get("content") is None:
            m["content"] = ""
        messages.append(m)
    if messages:
        payload["messages"] = messages
    for key in ("safe_prompt", "prompt_mode", "parallel_tool_calls", "prediction", "reasoning_effort"):
        payload.pop(key, None)
    return payload


class MistralCompat:
    """ASGI middleware: checks model names and rewrites Mistral-API request fields."""

    def __init__(self, app, own, served: dict[str, str], count_tokens=None, contexts: dict[str, int] | None = None,
                 formats: dict[str, str] | None = None, vocabs: dict[str, Any] | None = None,
                 api_key: str | None = None, ollama: ollama_api.OllamaModels | None = None,
                 aliases: dict[str, str] | None = None):
        self.app = app  # llama-cpp-python's server
        self.own = own  # the routes it lacks (models, embeddings)
        self.served = served  # model id -> kind ("chat" or "embeddings")
        self.count_tokens = count_tokens  # (model id, prompt text) -> token count, for the context check
        self.contexts = contexts or {}  # chat model id -> context limit
        self.formats = formats or {}  # chat model id -> prompt format
        self.vocabs = vocabs or {}  # chat model id -> llama.cpp vocabulary, to parse grammars before generating
        self.api_key = api_key  # when set, every route asks for it
        self.ollama = ollama  # models made through the Ollama API, which /v1 serves too (as Ollama does)
        self.aliases = aliases or {}  # further names for served models (La Plateforme's, for a rehearsal)
        self.waiting = 0  # generation requests running or queued for the model
        self.max_waiting = int(os.environ.get("WORKBOOK_MAX_WAITING", guard.MAX_WAITING))

    def bad_constraints(self, payload: dict[str, Any], path: str) -> tuple[str, str] | None:
        """(message, parameter) when the request's tools, JSON schema or grammar cannot constrain generation.

        Everything is parsed by llama.cpp itself before any generation starts: a grammar it rejects
        would otherwise crash the server at the first sampled token.
        """
        tools, choice = payload.get("tools"), payload.get("tool_choice") or "auto"
        if tools and choice != "none":
            try:
                chat_format.check_tool_schemas(tools, "any" if choice == "required" else choice,
                                               chat_format.PARALLEL_TOOL_CALLS.get())
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return str(exc), "tools"
        model = payload.get("model")
        vocab = self.vocabs.get(model) if isinstance(model, str) else None
        if vocab is None:
            return None
        try:
            return chat_format.grammar_check(
                vocab, response_format=payload.get("response_format"), tools=tools if path.endswith("chat/completions") else None,
                choice=choice, parallel=chat_format.PARALLEL_TOOL_CALLS.get(), grammar=payload.get("grammar"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return str(exc), "tools"

    def too_long(self, payload: dict[str, Any], path: str) -> str | None:
        """The context-limit message, checked before any response starts.

        llama-cpp-python raises this error inside the generator, so a *streamed* request would end
        with an empty 200 stream; checking here gives streamed and plain requests the same 400.
        """
        model = payload.get("model")
        if self.count_tokens is None or model not in self.contexts:
            return None
        if path == "/v1/chat/completions":
            choice = payload.get("tool_choice") or "auto"
            text = chat_format.prompt_text(self.formats.get(model, chat_format.HANDLER_NAME), payload.get("messages") or [],
                                           payload.get("tools"), "any" if choice == "required" else choice,
                                           chat_format.PARALLEL_TOOL_CALLS.get())
        else:
            prompt = payload.get("prompt", "")
            text = prompt if isinstance(prompt, str) else "".join(map(str, prompt))
        n, limit = self.count_tokens(model, text), self.contexts[model]
        if n < limit:
            return None
        return (
            f"This model's maximum context length is {limit} tokens, however you requested {n} tokens "
            f"in the prompt. Please reduce the length of the messages."
        )

    def unknown_model(self, model: Any, path: str) -> str | None:
        kind = "embeddings" if path.endswith("embeddings") else "chat"
        valid = [name for name, k in self.served.items() if k == kind]
        if model in valid:
            return None
        listing = ", ".join([*(f"{name} ({k})" for name, k in self.served.items()),
                             *(f"{name} ({self.served.get(target, 'chat')}, answered by {target})"
                               for name, target in self.aliases.items())])
        return (
            f"Invalid model: {model!r} is not served here. This endpoint serves: {listing}. "
            f"Use one of the {kind} models, or call helpers.connect() to get the right name for your backend."
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if refused := guard.refusal(scope, self.api_key):
            status, message = refused
            await self.reply(send, status, guard.error_for(path, message, "authentication_error" if status == 401 else
                                                      "invalid_request_error"))
            return
        # Only the two llama-cpp-python routes the workbook uses reach it; its extras (/extras, /v1/engines,
        # /docs) do not exist here.
        target = self.app if path in guard.LLAMA_ROUTES else self.own
        if scope["method"] != "POST" or path not in (*MODEL_ROUTES, *guard.GENERATION_ROUTES):
            await target(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > guard.MAX_BODY_BYTES:
                await self.reply(send, 413, guard.error_for(path, f"Request body over {guard.MAX_BODY_BYTES // 2**20} MB."))
                return
        if self.waiting >= self.max_waiting and path in guard.GENERATION_ROUTES:
            await self.reply(send, 503, guard.error_for(path, f"The endpoint is busy: {self.waiting} requests are running or "
                                                         "waiting for the model. Retry in a few seconds.",
                                                   "service_unavailable"), retry_after=True)
            return
        # The client's disconnect sets `cancelled`, which stops a running generation at its next token.
        cancelled = threading.Event()
        token = guard.CANCELLED.set(cancelled)
        parallel = chat_format.PARALLEL_TOOL_CALLS.set(False)
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            cancelled.set()
            gone.set()

        sent = False

        async def replay():  # the body once, then whatever the client does next
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        watcher = asyncio.create_task(watch())
        counted = path in guard.GENERATION_ROUTES
        self.waiting += counted
        try:
            if path.startswith("/api/"):
                await target(scope, replay, send)
            else:
                await self.check_and_forward(body, target, scope, replay, send)
        finally:
            self.waiting -= counted
            watcher.cancel()
            guard.CANCELLED.reset(token)
            chat_format.PARALLEL_TOOL_CALLS.reset(parallel)

    async def check_and_forward(self, body: bytes, target, scope, receive, send) -> None:
        """Parse, validate and rewrite a /v1 model request; forward it or answer the error."""
        path = scope["path"]
        try:
            payload = json.loads(body or b"{}")
        except ValueError as exc:  # invalid JSON, invalid UTF-8
            await self.reply(send, 400, guard.error_body(f"The request body is not valid JSON: {exc}.",
                                                         type_="invalid_request_error"))
            return
        if not isinstance(payload, dict):
            await self.reply(send, 400, guard.error_body("The request body must be a JSON object.",
                                                         type_="invalid_request_error"))
            return
        if self.ollama is not None and (made := self.ollama.as_openai(payload, path)) is not None:
            payload = made
            body = json.dumps(payload).encode()
        if isinstance(payload.get("model"), str) and payload["model"] in self.aliases:
            payload = {**payload, "model": self.aliases[payload["model"]]}
            body = json.dumps(payload).encode()
        problem = self.unknown_model(payload.get("model"), path)
        if problem:
            await self.reply(send, 404, guard.error_body(problem, type_="invalid_model", code="model_not_found", param="model"))
            return
        if path == "/v1/embeddings":
            await self.forward(body, target, scope, receive, send)
            return
        chat_format.PARALLEL_TOOL_CALLS.set(payload.get("parallel_tool_calls") is True)
        if refused := guard.unsupported(payload):
            reasoning = refused[1] in ("reasoning_effort", "prompt_mode")  # La Plateforme's type and code for these
            await self.reply(send, 400, guard.error_body(refused[0], param=refused[1], code="3051" if reasoning else None,
                                                         type_="invalid_request_invalid_args" if reasoning
                                                         else "invalid_request_error"))
            return
        if path == "/v1/chat/completions":
            payload = normalise_chat_request(payload)
        if invalid := guard.validate_request(path, payload):
            await self.reply(send, *invalid)
            return
        payload, limit = guard.output_limit(payload, path)
        bad = (limit, "max_tokens") if limit else None
        # Grammar parsing and token counting take seconds on a big request: off the event loop.
        bad = bad or await asyncio.to_thread(self.bad_constraints, payload, path)
        if bad:
            await self.reply(send, 400, guard.error_body(bad[0], type_="invalid_request_error", param=bad[1]))
            return
        if problem := await asyncio.to_thread(self.too_long, payload, path):
            body = json.dumps({"error": {"message": problem, "type": "invalid_request_error",
                                         "param": "messages", "code": "context_length_exceeded"}}).encode()
            await self.reply(send, 400, body)
            return
        await self.forward(json.dumps(payload).encode(), target, scope, receive, send)

    @staticmethod
    async def forward(body: bytes, target, scope, receive, send) -> None:
        """Send `body` on to `target` as the request's body."""
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await target(dict(scope, headers=headers), replay, send)

    @staticmethod
    async def reply(send, status: int, body: bytes, retry_after: bool = False) -> None:
        headers = [(b"content-type", b"application/json")]
        if retry_after:
            headers.append((b"retry-after", b"5"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def model_card(model_id: str, info: dict[str, Any], max_context: int) -> dict[str, Any]:
    """A model entry that both the OpenAI and the Mistral clients can parse."""
    chat = info["kind"] == "chat"
    return {
        "id": model_id,
        "object": "model",
        "created": 0,
        "owned_by": "mistral-workbook (stand-in)",
        "type": "base",
        "name": model_id,
        "description": info.get("card_description")
        or f"Stand-in, not a Mistral model: {info['description']}. Stands in for {info['stands_in_for']}.",
        "max_context_length": max_context,
        # This endpoint's output limits (La Plateforme's cards have no such fields; clients ignore them).
        **({"max_output_tokens": guard.MAX_OUTPUT_TOKENS, "default_max_tokens": guard.DEFAULT_MAX_TOKENS} if chat else {}),
        "aliases": [],
        "capabilities": {
            "completion_chat": chat,
            "completion_fim": False,
            "function_calling": chat,
            "fine_tuning": False,
            "vision": False,
            "classification": False,
        },
    }


def default_threads() -> int:
    """Half the usable cores, 1 to 4 (`WORKBOOK_THREADS` overrides).

    On a 2-core laptop one thread is steadier than two: the notebook kernel needs the other core,
    and llama.cpp's threads spin-wait for each other when a core is taken away.
    """
    if os.environ.get("WORKBOOK_THREADS"):
        return int(os.environ["WORKBOOK_THREADS"])
    return max(1, min(4, usable_cores() // 2))


def parse_assignments(items: list[str] | None, what: str) -> dict[str, str]:
    """`["ALIAS=VALUE", ...]` (the `--chat-model`/`--chat-format` options) as a dict, with a clear error."""
    out: dict[str, str] = {}
    for item in items or []:
        alias, sep, value = item.partition("=")
        if not sep or not alias.strip() or not value.strip():
            raise ValueError(f"{what} must look like ALIAS={what.split()[-1].upper()}, got {item!r}.")
        out[alias.strip()] = value.strip()
    return out


def extra_chat_settings(extra_models: dict[str, str], chat_formats: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Check extra chat models (alias -> GGUF path) and their formats; alias -> {"path", "format"}.

    Raises ValueError naming the problem: a missing file, an alias already taken, an unknown format,
    or a format given for an alias that is not served.
    """
    taken = {CHAT_ALIAS, SMOLLM_ALIAS, GEMMA_ALIAS, EMBED_ALIAS}
    out: dict[str, dict[str, Any]] = {}
    for alias, path in extra_models.items():
        file = Path(path).expanduser()
        if alias in taken:
            raise ValueError(f"Alias {alias!r} is already served by the endpoint; choose another name for {file.name}.")
        if not file.is_file():
            raise ValueError(f"Chat model file for {alias!r} not found: {file}. Pass the path of a .gguf file.")
        fmt = chat_formats.get(alias, chat_format.HANDLER_NAME)
        if fmt not in chat_format.CHAT_FORMATS:
            raise ValueError(f"Unknown chat format {fmt!r} for {alias!r}; choose one of {', '.join(chat_format.CHAT_FORMATS)}.")
        out[alias] = {"path": file.resolve(), "format": fmt}
    unknown = set(chat_formats) - set(extra_models)
    if unknown:
        raise ValueError(f"--chat-format given for {', '.join(sorted(unknown))}, which no --chat-model serves.")
    return out


def extra_model_info(alias: str, path: Path, fmt: str) -> dict[str, Any]:
    """The model-card facts of an extra chat model (it stands in for nothing unless its name says so)."""
    standin = "stand-in" in alias or alias.startswith("standin")
    what = "Stand-in, not a Mistral model" if standin else "Local model"
    return {"kind": "chat", "description": f"{what}: served from {path.name} in the {fmt} prompt format",
            "stands_in_for": "nothing (an extra chat model)", "card_description": f"{what}: served from {path.name} "
            f"in the {fmt} prompt format."}


def builtin_chat_models() -> dict[str, dict[str, Any]]:
    """The built-in chat models, alias -> {"path", "format", "lora"}; the default comes first."""
    info = embedded_model_info()
    smollm = prepare_smollm_model(progress=False)
    return {
        CHAT_ALIAS: {"path": smollm, "format": info[CHAT_ALIAS]["chat_format"], "lora": str(assistant_adapter())},
        SMOLLM_ALIAS: {"path": smollm, "format": info[SMOLLM_ALIAS]["chat_format"]},
        GEMMA_ALIAS: {"path": prepare_gemma_model(progress=False), "format": info[GEMMA_ALIAS]["chat_format"]},
    }


def alias_cards(aliases: dict[str, str], cards: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Model cards for further names of served models (`--alias NAME=MODEL`); ValueError for a name already taken
    or a model not served. The card says which stand-in answers under the name."""
    out = {}
    for name, target in aliases.items():
        if name in cards:
            raise ValueError(f"--alias {name}={target}: {name!r} is already a model served here.")
        if target not in cards:
            raise ValueError(f"--alias {name}={target}: {target!r} is not served here; choose one of {', '.join(cards)}.")
        out[name] = {**cards[target], "id": name, "name": name,
                     "description": f"{name} answered here by the stand-in {target}, not by Mistral. "
                                    f"{cards[target]['description']}"}
    return out


def build_app(*, n_ctx: int = DEFAULT_CONTEXT, n_threads: int | None = None, api_key: str | None = None,
              extra_models: dict[str, str] | None = None, chat_formats: dict[str, str] | None = None,
              aliases: dict[str, str] | None = None):
    """The ASGI app: llama-cpp-python's server behind `MistralCompat`, which adds what it lacks.

    `extra_models` (alias -> GGUF path) are served as further chat models, each in the prompt
    format `chat_formats` names for it (default `workbook-gemma`). `aliases` (name -> served model)
    answer under further names: La Plateforme's, when the endpoint rehearses it.
    """
    from fastapi import APIRouter, Body, FastAPI, HTTPException
    from fastapi import Path as PathParam
    from fastapi.responses import PlainTextResponse
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings
    from sentence_transformers import SentenceTransformer

    chat_format.register()
    guard.install_cancellation()
    threads = n_threads or default_threads()
    # interrupt_requests=False: by default a new request aborts the stream in flight (the client sees an early
    # [DONE]); here requests wait their turn for the model instead, so concurrent clients each get a whole answer.
    server_settings = ServerSettings(host="127.0.0.1", api_key=api_key, interrupt_requests=False)
    infos = dict(embedded_model_info())
    builtin = builtin_chat_models()
    extras = extra_chat_settings(extra_models or {}, chat_formats or {})
    infos.update({alias: extra_model_info(alias, spec["path"], spec["format"]) for alias, spec in extras.items()})
    chat_models = {**builtin, **extras}
    contexts = {alias: min(n_ctx, int(infos[alias].get("max_context", n_ctx))) for alias in chat_models}
    # The first model is the one llama-cpp-python loads at start and the Ollama API serves.
    model_settings = [
        ModelSettings(model=str(spec["path"]), model_alias=alias, chat_format=spec["format"], lora_path=spec.get("lora"),
                      n_ctx=contexts[alias], n_threads=threads, n_threads_batch=threads, seed=0,
                      logits_all=False,  # True would allocate n_ctx x vocab floats (GiBs at long contexts)
                      verbose=False)
        for alias, spec in chat_models.items()
    ]
    app = create_app(server_settings=server_settings, model_settings=model_settings)
    embedder = SentenceTransformer(str(prepare_embedding_model(progress=False)), device="cpu")
    embed_dimension, embed_limit = embedder.get_sentence_embedding_dimension(), embedder.max_seq_length
    if not embed_dimension or not embed_limit:
        raise RuntimeError(f"{EMBED_ALIAS} states no vector size or input limit; prepare it again with `make models`.")
    contexts_all = {**contexts, EMBED_ALIAS: embed_limit}
    cards = {name: model_card(name, infos[name], contexts_all[name]) for name in (*chat_models, EMBED_ALIAS)}
    named = alias_cards(aliases or {}, cards)

    router = APIRouter()  # the API key, when set, is checked for every route by MistralCompat

    @router.get("/v1/models")
    async def list_models() -> dict[str, Any]:
        made = ollama_models.openai_cards(lambda name, root: {**cards[root], "id": name, "name": name,
                                                              "description": f"{cards[root]['description']} Made with "
                                                                             f"the Ollama API from {root}."})
        return {"object": "list", "data": [*cards.values(), *named.values(), *made]}

    @router.get("/v1/models/{model_id:path}")
    async def get_model(model_id: str = PathParam(...)) -> dict[str, Any]:
        if model_id not in cards and model_id not in named:
            raise HTTPException(404, detail=f"Invalid model {model_id!r}; served: {', '.join([*cards, *named])}")
        return cards.get(model_id) or named[model_id]

    @router.post("/v1/embeddings")
    async def embeddings(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        from starlette.concurrency import run_in_threadpool

        texts = body.get("inputs", body.get("input"))
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise HTTPException(422, detail="Send `inputs` (Mistral) or `input` (OpenAI): a string or a list of strings.")
        dimension = embed_dimension
        if body.get("output_dimension") not in (None, dimension):
            raise HTTPException(
                400, detail=f"{EMBED_ALIAS} produces {dimension}-dim vectors only; drop output_dimension or ask for {dimension}."
            )
        limit = embed_limit
        lengths = await run_in_threadpool(lambda: [len(embedder.tokenizer(t)["input_ids"]) for t in texts])
        too_long = [(i, n) for i, n in enumerate(lengths) if n > limit]
        if too_long:
            i, n = too_long[0]
            raise HTTPException(
                400,
                detail=f"Input {i} is {n} tokens; {EMBED_ALIAS} reads at most {limit} tokens per input "
                f"(its context limit). Split long texts into chunks first.",
            )
        vectors = await run_in_threadpool(embedder.encode, texts, normalize_embeddings=True)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for i, vector in enumerate(vectors):
            value: Any = base64.b64encode(vector.astype("<f4").tobytes()).decode() if as_base64 else vector.tolist()
            data.append({"object": "embedding", "embedding": value, "index": i})
        used = sum(lengths)
        return {
            "id": "emb-" + uuid.uuid4().hex,
            "object": "list",
            "data": data,
            "model": EMBED_ALIAS,
            "usage": {"prompt_tokens": used, "total_tokens": used, "completion_tokens": 0},
        }

    own = FastAPI(title="Mistral Workbook additions", docs_url=None, redoc_url=None, openapi_url=None)
    guard.add_error_handlers(own)
    own.include_router(router)
    from llama_cpp.server import app as llama_server

    files = {CHAT_ALIAS: Path(builtin[CHAT_ALIAS]["path"]), EMBED_ALIAS: prepare_embedding_model(progress=False)}
    llama_proxy: Any = llama_server._llama_proxy  # the server's model holder (set by create_app above)
    ollama_models = ollama_api.OllamaModels(
        CHAT_ALIAS, EMBED_ALIAS, files, infos, metadata=dict(llama_proxy(None).metadata),
        n_ctx=contexts[CHAT_ALIAS], embed_dimension=embed_dimension,
    )
    own.include_router(ollama_api.build_router(
        ollama_models, ollama_api.llama_lock(),
        embed=lambda texts: embedder.encode(texts, normalize_embeddings=True),
        count_embed_tokens=lambda text: len(embedder.tokenizer(text)["input_ids"]),
        embed_limit=embed_limit,
    ))

    @own.get("/", response_class=PlainTextResponse)
    async def root() -> str:
        return "Mistral Workbook embedded endpoint (stand-in models): Mistral/OpenAI API under /v1, Ollama API under /api\n"

    # Vocabulary-only copies for counting: asking the server's proxy would swap out the loaded model (the
    # proxy holds one model at a time) on every request.
    from llama_cpp import Llama

    counters = {str(spec["path"]): Llama(model_path=str(spec["path"]), vocab_only=True, verbose=False)
                for spec in chat_models.values()}

    def count_tokens(model: str, text: str) -> int:
        counter = counters[str(chat_models[model]["path"])]
        return len(counter.tokenize(text.encode(), add_bos=True, special=True))

    return MistralCompat(app, own, served={name: infos[name]["kind"] for name in cards}, count_tokens=count_tokens,
                         contexts=contexts, formats={alias: spec["format"] for alias, spec in chat_models.items()},
                         vocabs={alias: counters[str(spec["path"])]._model.vocab for alias, spec in chat_models.items()},
                         api_key=api_key, ollama=ollama_models, aliases=dict(aliases or {}))


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
