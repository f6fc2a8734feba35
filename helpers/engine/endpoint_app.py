"""The embedded endpoint's ASGI app: llama-cpp-python's server, the routes it lacks, `MistralCompat` in front.

`build_app` loads the chat models into llama-cpp-python's server (`create_app`) and the embedding model
into sentence-transformers, and serves beside them the endpoint's own routes: `/v1/models` and
`/v1/embeddings` (`v1_router`), Ollama's `/api/*` (`ollama_api.build_router`) and `/` (`additions_app`).
`helpers.engine.endpoint` runs it; what each part adds, and why, is listed there.
"""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path
from typing import Any

from ..hardware import usable_cores
from ..paths import state_dir
from . import additions, chat_handlers, ollama_api
from . import endpoint_guard as guard
from .embedded import BEYOND_CHAT_MODELS, CHAT_ALIAS, EMBED_ALIAS, embedded_model_info, prepare_embedding_model
from .endpoint_checks import MistralCompat
from .endpoint_models import alias_cards, builtin_chat_models, extra_chat_settings, extra_model_info, model_card

DEFAULT_CONTEXT = 32768


def default_threads() -> int:
    """Half the usable cores, 1 to 4 (`WORKBOOK_THREADS` overrides).

    On a 2-core laptop one thread is steadier than two: the notebook kernel needs the other core,
    and llama.cpp's threads spin-wait for each other when a core is taken away.
    """
    if os.environ.get("WORKBOOK_THREADS"):
        return int(os.environ["WORKBOOK_THREADS"])
    return max(1, min(4, usable_cores() // 2))


def llama_server_settings(chat_models: dict[str, dict[str, Any]], contexts: dict[str, int], threads: int,
                          api_key: str | None) -> dict[str, Any]:
    """llama-cpp-python's `create_app` arguments (`server_settings`, `model_settings`) for `chat_models`."""
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    # interrupt_requests=False: by default a new request aborts the stream in flight (the client sees an early
    # [DONE]); here requests wait their turn for the model instead, so concurrent clients each get a whole answer.
    server_settings = ServerSettings(host="127.0.0.1", api_key=api_key, interrupt_requests=False)
    # The first model is the one llama-cpp-python loads at start and the Ollama API serves.
    model_settings = [
        ModelSettings(model=str(spec["path"]), model_alias=alias, chat_format=spec["format"], lora_path=spec.get("lora"),
                      n_ctx=contexts[alias], n_threads=threads, n_threads_batch=threads, seed=0,
                      logits_all=False,  # True would allocate n_ctx x vocab floats (GiBs at long contexts)
                      verbose=False)
        for alias, spec in chat_models.items()
    ]
    return {"server_settings": server_settings, "model_settings": model_settings}


def keep_models_loaded(limit: int) -> None:
    """Let llama-cpp-python's model holder keep up to `limit` chat models loaded instead of one.

    Its `LlamaProxy` closes the loaded model whenever a request names another, and loads that one from
    disk: measured on 2 cores, a request that switched to the Gemma stand-in took 2.3-3.5 s where the
    same request took 0.2 s without the switch. The stand-ins are small (the largest GGUF is under
    300 MB), so the holder is replaced by one that keeps the `limit` most recently used models and
    closes the least recently used one beyond that. Requests still take the server's locks one at a
    time, as before; only the reloads go. Like `loaded_llama`, this reads the private
    `llama_cpp.server.app._llama_proxy`, which `create_app` sets: check it when the pin moves.
    """
    from collections import OrderedDict

    from llama_cpp.server import app as llama_server
    from llama_cpp.server.model import LlamaProxy

    class KeepLoaded(LlamaProxy):
        """A `LlamaProxy` that adopts the one `create_app` made (its model is loaded) and keeps models loaded."""

        def __init__(self, adopted: Any, limit: int) -> None:  # not LlamaProxy.__init__: it loads the default again
            self.__dict__.update(vars(adopted))
            self._limit = max(1, limit)
            self._loaded: OrderedDict[str, Any] = OrderedDict()
            if self._current_model is not None and self._current_model_alias is not None:
                self._loaded[self._current_model_alias] = self._current_model

        def __call__(self, model: str | None = None) -> Any:
            alias = model if model in self._model_settings_dict else self._default_model_alias
            llama = self._loaded.pop(alias, None)
            if llama is None:
                while len(self._loaded) >= self._limit:
                    self._loaded.popitem(last=False)[1].close()
                llama = self.load_llama_from_model_settings(self._model_settings_dict[alias])
            self._loaded[alias] = llama  # the most recently used last
            self._current_model, self._current_model_alias = llama, alias
            return llama

        def free(self) -> None:
            for llama in self._loaded.values():
                llama.close()
            self._loaded.clear()
            self._current_model = None

        def loaded(self) -> list[str]:
            """The aliases loaded now, the least recently used first."""
            return list(self._loaded)

    holder: Any = llama_server._llama_proxy
    if holder is None:
        raise RuntimeError("llama-cpp-python's server has no model holder yet: call create_app first.")
    llama_server._llama_proxy = KeepLoaded(holder, limit)


def loaded_llama() -> Any:
    """The `Llama` that llama-cpp-python's server loaded at start (its first model), read outside any request.

    `build_app` needs the default model's GGUF metadata (for Ollama's `/api/show` and `/api/tags`) before
    the server runs. llama-cpp-python 0.3.36, the pinned version, keeps its model holder (a `LlamaProxy`,
    which `create_app` makes) in the private module global `llama_cpp.server.app._llama_proxy`. Its one
    public accessor, `get_llama_proxy`, is an async FastAPI dependency that takes the server's request
    locks: for use inside a request (`ollama_api.llama_lock` uses it so), not at build time, when no event
    loop runs. Calling the holder with None returns the model already loaded, without a reload. This is
    the one place that reads the private name: check it when the pin moves.
    """
    from llama_cpp.server import app as llama_server

    llama_proxy: Any = llama_server._llama_proxy  # the server's model holder (set by create_app)
    return llama_proxy(None)


def v1_router(cards: dict[str, dict[str, Any]], named: dict[str, dict[str, Any]], ollama_models: ollama_api.OllamaModels,
              embedder: Any, embed_dimension: int, embed_limit: int):
    """`/v1/models` (the served models' cards, their `--alias` names, the models made with the Ollama API)
    and `/v1/embeddings` (sentence-transformers), which llama-cpp-python's server lacks."""
    from fastapi import APIRouter, Body, HTTPException
    from fastapi import Path as PathParam

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

    return router


def additions_app(*routers):
    """The FastAPI app of the routes llama-cpp-python's server lacks (`routers`, then `/`), with errors in each
    API's own shape (`guard.add_error_handlers`)."""
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    own = FastAPI(title="Mistral Workbook additions", docs_url=None, redoc_url=None, openapi_url=None)
    guard.add_error_handlers(own)
    for router in routers:
        own.include_router(router)

    @own.get("/", response_class=PlainTextResponse)
    async def root() -> str:
        return "Mistral Workbook embedded endpoint (stand-in models): Mistral/OpenAI API under /v1, Ollama API under /api\n"

    return own


def token_counters(chat_models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A vocabulary-only `Llama` per chat model file (path -> Llama), to count prompt tokens and parse grammars.

    Vocabulary-only copies: asking the server's proxy would load a model that is not loaded, or reorder
    the ones it keeps, outside the server's request locks.
    """
    from llama_cpp import Llama

    return {str(spec["path"]): Llama(model_path=str(spec["path"]), vocab_only=True, verbose=False)
            for spec in chat_models.values()}


def build_app(*, n_ctx: int = DEFAULT_CONTEXT, n_threads: int | None = None, api_key: str | None = None,
              extra_models: dict[str, str] | None = None, chat_formats: dict[str, str] | None = None,
              aliases: dict[str, str] | None = None):
    """The ASGI app: llama-cpp-python's server behind `MistralCompat`, which adds what it lacks.

    `extra_models` (alias -> GGUF path) are served as further chat models, each in the prompt
    format `chat_formats` names for it (default `workbook-gemma`). `aliases` (name -> served model)
    answer under further names: La Plateforme's, when the endpoint rehearses it.
    """
    from llama_cpp.server.app import create_app
    from sentence_transformers import SentenceTransformer

    chat_handlers.register()
    guard.install_cancellation()
    threads = n_threads or default_threads()
    infos = dict(embedded_model_info())
    builtin = builtin_chat_models()
    extras = extra_chat_settings(extra_models or {}, chat_formats or {})
    infos.update({alias: extra_model_info(alias, spec["path"], spec["format"]) for alias, spec in extras.items()})
    chat_models = {**builtin, **extras}
    contexts = {alias: min(n_ctx, int(infos[alias].get("max_context", n_ctx))) for alias in chat_models}
    app = create_app(**llama_server_settings(chat_models, contexts, threads, api_key))
    keep_models_loaded(len(chat_models))
    embedder = SentenceTransformer(str(prepare_embedding_model(progress=False)), device="cpu")
    embed_dimension, embed_limit = embedder.get_sentence_embedding_dimension(), embedder.max_seq_length
    if not embed_dimension or not embed_limit:
        raise RuntimeError(f"{EMBED_ALIAS} states no vector size or input limit; prepare it again with `make models`.")
    contexts_all = {**contexts, EMBED_ALIAS: embed_limit}
    contexts_all.update({name: int(infos[name]["max_context"]) for name in BEYOND_CHAT_MODELS})
    cards = {name: model_card(name, infos[name], contexts_all[name])
             for name in (*chat_models, EMBED_ALIAS, *BEYOND_CHAT_MODELS)}
    named = alias_cards(aliases or {}, cards)

    files = {CHAT_ALIAS: Path(builtin[CHAT_ALIAS]["path"]), EMBED_ALIAS: prepare_embedding_model(progress=False)}
    ollama_models = ollama_api.OllamaModels(
        CHAT_ALIAS, EMBED_ALIAS, files, infos, metadata=dict(loaded_llama().metadata),
        n_ctx=contexts[CHAT_ALIAS], embed_dimension=embed_dimension,
    )
    chat_only = tuple(alias for alias in chat_models if infos[alias]["kind"] == "chat")  # not the FIM stand-in
    context = additions.EndpointContext(state_dir=state_dir(), chat_models=chat_only,
                                        embed=lambda texts: embedder.encode(texts, normalize_embeddings=True),
                                        api_key=api_key)
    own = additions_app(
        v1_router(cards, named, ollama_models, embedder, embed_dimension, embed_limit),
        *additions.routers(context),
        ollama_api.build_router(
            ollama_models, ollama_api.llama_lock(),
            embed=lambda texts: embedder.encode(texts, normalize_embeddings=True),
            count_embed_tokens=lambda text: len(embedder.tokenizer(text)["input_ids"]),
            embed_limit=embed_limit,
        ),
    )

    counters = token_counters(chat_models)

    def count_tokens(model: str, text: str) -> int:
        counter = counters[str(chat_models[model]["path"])]
        return len(counter.tokenize(text.encode(), add_bos=True, special=True))

    # the routes beyond chat call the models through the whole endpoint (`context.call`)
    context.app = MistralCompat(
        app, own, served={name: infos[name]["kind"] for name in cards}, count_tokens=count_tokens, contexts=contexts,
        formats={alias: spec["format"] for alias, spec in chat_models.items()},
        vocabs={alias: counters[str(spec["path"])]._model.vocab for alias, spec in chat_models.items()},
        api_key=api_key, ollama=ollama_models, aliases=dict(aliases or {}), embed=context.embed,
        startup=context.startup)
    return context.app
