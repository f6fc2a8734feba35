"""Ollama's REST API over the embedded models, so the official `ollama` client runs offline.

No Ollama daemon can be installed here, so the embedded endpoint also answers Ollama's routes —
`/api/version`, `/api/tags`, `/api/show`, `/api/ps`, `/api/chat`, `/api/generate`, `/api/embed`,
`/api/embeddings`, `/api/pull`, `/api/create`, `/api/copy`, `/api/delete` — with llama.cpp and
sentence-transformers underneath. Streams are JSON lines, one object per line, as Ollama sends them.
It is a stand-in and says so in `/api/version` and `/api/show`; against a real daemon the same
client cells serve `mistral`, `mixtral` or `codestral`.

Here: the routes (`OllamaRoutes`, wired by `build_router`). The model registry and tags are in `ollama_models`,
the request/reply converters in `ollama_convert`; the names other modules use are re-exported here.

`make serve-ollama` runs the endpoint on 127.0.0.1:${OLLAMA_PORT:-11435}.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from . import endpoint_guard as guard
from .ollama_convert import (
    each,
    error,
    messages_to_openai,
    ndjson,
    options_to_llama,
    prompt_tokens,
    reply_line,
    response_format,
    stats,
    tool_calls_to_ollama,
)
from .ollama_models import LIBRARY_TAGS, TAG, TEMPLATES, OllamaModels, base_name

__all__ = ["CHUNK", "VERSION", "OllamaModels", "OllamaRoutes", "build_router", "llama_lock",
           "messages_to_openai", "options_to_llama", "tool_calls_to_ollama"]

VERSION = "0.0.0-workbook-standin"
CHUNK = 8 << 20  # pull progress granularity


class OllamaRoutes:
    """Ollama's /api route handlers over `models`, sharing the loaded Llama and the embedder.

    `get_llama` is an async context manager factory yielding the loaded Llama (`llama_lock()`);
    `embed` and `count_embed_tokens` are the embedding model's; `embed_limit` is its input limit
    in tokens. `build_router` wires each handler to its route.
    """

    def __init__(self, models: OllamaModels, get_llama: Callable[[], Any], embed: Callable[[list[str]], Any],
                 count_embed_tokens: Callable[[str], int], embed_limit: int):
        self.models = models
        self.get_llama = get_llama
        self.embed = embed
        self.count_embed_tokens = count_embed_tokens
        self.embed_limit = embed_limit

    def chat_request(self, body: dict[str, Any], messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        models = self.models
        root, spec = models.resolve(body.get("model", ""))
        if root != models.chat_alias:
            raise ValueError(f'"{body.get("model")}" is an embedding model; it does not support chat or generate')
        if spec.get("system") and not any(m["role"] == "system" for m in messages):
            messages = [{"role": "system", "content": spec["system"]}, *messages]
        options = {**(spec.get("parameters") or {}), **(body.get("options") or {})}
        kwargs: dict[str, Any] = {"messages": messages, **options_to_llama(options)}
        kwargs.setdefault("max_tokens", 256)
        tools = body.get("tools") or None
        if tools:
            kwargs["tools"], kwargs["tool_choice"] = tools, "auto"
        if fmt := response_format(body.get("format")):
            kwargs["response_format"] = fmt
        return root, kwargs

    async def run_chat(self, body: dict[str, Any], messages: list[dict[str, Any]], field: str):
        """Shared by /api/chat (field "message") and /api/generate (field "response")."""
        if problem := guard.ollama_common_problem(body):
            return error(400, problem)
        try:
            _, kwargs = self.chat_request(body, messages)
        except LookupError as exc:
            return error(404, str(exc))
        except ValueError as exc:
            return error(400, str(exc))
        name = body["model"]
        started = time.perf_counter()

        async with self.get_llama() as llama:  # a grammar llama.cpp cannot parse would crash it mid-generation
            from . import tool_grammar

            bad = await run_in_threadpool(
                tool_grammar.grammar_check, llama._model.vocab, response_format=kwargs.get("response_format"),
                tools=kwargs.get("tools"), choice=kwargs.get("tool_choice") or "auto")
        if bad:
            return error(400, bad[0])

        if body.get("stream", True) is False:
            return await self.chat_whole(kwargs, name, field, started)
        return await self.chat_stream(kwargs, name, field, started)

    async def chat_whole(self, kwargs: dict[str, Any], name: str, field: str, started: float):
        """The reply in one JSON object (`"stream": false`)."""
        async with self.get_llama() as llama:
            try:
                result = await run_in_threadpool(llama.create_chat_completion, **kwargs)
            except ValueError as exc:
                return error(400, str(exc))
        choice = result["choices"][0]
        line = reply_line(name, field, choice["message"].get("content") or "",
                          tool_calls_to_ollama(choice["message"].get("tool_calls")), True)
        line["done_reason"] = "length" if choice["finish_reason"] == "length" else "stop"
        return JSONResponse({**line, **stats(started, result["usage"])})

    async def chat_stream(self, kwargs: dict[str, Any], name: str, field: str, started: float):
        """The reply as JSON lines; an error found before the stream starts is a plain error reply."""
        async with self.get_llama() as llama:  # fail before the stream starts, as Ollama does
            try:
                stream = await run_in_threadpool(llama.create_chat_completion, stream=True, **kwargs)
            except ValueError as exc:
                return error(400, str(exc))
            prompt_count = await run_in_threadpool(prompt_tokens, llama, kwargs)
        return ndjson(self.chat_lines(stream, prompt_count, name, field, started))

    async def chat_lines(self, stream: Any, prompt_count: int, name: str, field: str, started: float):
        count, finish, usage = 0, "stop", None
        async with self.get_llama():
            try:
                async for chunk in iterate_in_threadpool(stream):
                    choice = chunk["choices"][0]
                    delta = choice.get("delta") or {}
                    if delta.get("content") or delta.get("tool_calls"):
                        count += 1
                        yield reply_line(name, field, delta.get("content") or "", tool_calls_to_ollama(delta.get("tool_calls")))
                    finish = choice.get("finish_reason") or finish
                    usage = chunk.get("usage") or usage  # the tool path replays a finished reply, usage included
            except ValueError as exc:  # e.g. the prompt exceeds the context: Ollama streams an error line
                yield {"error": str(exc)}
                return
        usage = usage or {"prompt_tokens": prompt_count, "completion_tokens": count}
        yield {**reply_line(name, field, "", done=True), "done_reason": "length" if finish == "length" else "stop",
               **stats(started, usage)}

    async def version(self) -> dict[str, str]:
        return {"version": VERSION}

    async def tags(self) -> dict[str, Any]:
        return {"models": [self.models.listing(n) for n in self.models.names()]}

    async def show(self, body: dict[str, Any] = Body(...)):
        models = self.models
        try:
            root, spec = models.resolve(body.get("model", ""))
        except LookupError as exc:
            return error(404, str(exc))
        info = models.infos[root]
        chat = root == models.chat_alias
        params = {"num_ctx": models.n_ctx, **(spec.get("parameters") or {})}
        modelfile = [f"# Stand-in, not a Mistral model: {info['description']}", f"FROM {models.files[root].name}"]
        if spec.get("system"):
            modelfile.append(f'SYSTEM """{spec["system"]}"""')
        modelfile += [f"PARAMETER {k} {v}" for k, v in params.items()]
        model_info: dict[str, Any] = ({k: v for k, v in models.metadata.items() if not k.startswith("tokenizer.")} if chat
                      else {"general.architecture": "bert", "bert.embedding_length": models.embed_dimension})
        return {
            "license": info["licence"],
            "modelfile": "\n".join(modelfile) + "\n",
            "parameters": "\n".join(f"{k} {v}" for k, v in params.items()),
            "template": TEMPLATES.get(info.get("chat_format", ""), "") if chat else "",
            "system": spec.get("system", ""),
            "details": models.details(root),
            "model_info": model_info,
            "capabilities": ["completion", "tools"] if chat else ["embedding"],
            "modified_at": models.modified,
        }

    async def ps(self) -> dict[str, Any]:
        models = self.models
        expires = (datetime.now(UTC) + timedelta(days=365)).isoformat().replace("+00:00", "Z")
        return {"models": [{**models.listing(n), "expires_at": expires, "size_vram": 0,
                            "context_length": models.n_ctx if n == models.chat_alias else self.embed_limit}
                           for n in (models.chat_alias, models.embed_alias)]}

    async def chat(self, body: dict[str, Any] = Body(...)):
        if problem := guard.ollama_chat_problem(body):
            return error(400, problem)
        return await self.run_chat(body, messages_to_openai(body.get("messages") or []), "message")

    async def generate(self, body: dict[str, Any] = Body(...)):
        if not isinstance(body.get("prompt") or "", str) or not isinstance(body.get("system") or "", str):
            return error(400, "prompt and system must be strings")
        messages = ([{"role": "system", "content": body["system"]}] if body.get("system") else [])
        messages.append({"role": "user", "content": body.get("prompt") or ""})
        return await self.run_chat({**body, "tools": None}, messages, "response")

    async def embed_texts(self, model: str, texts: list[str], truncate: bool):
        models, embed_limit = self.models, self.embed_limit
        try:
            root, _ = models.resolve(model)
        except LookupError as exc:
            return None, error(404, str(exc))
        if root != models.embed_alias:
            return None, error(400, f'"{model}" does not support embeddings; use {models.embed_alias}')
        if not all(isinstance(t, str) for t in texts):
            return None, error(400, "input must be a string or an array of strings")
        lengths = await run_in_threadpool(lambda: [self.count_embed_tokens(t) for t in texts])
        if not truncate and max(lengths, default=0) > embed_limit:
            return None, error(400, f"input length exceeds the context length ({embed_limit} tokens); "
                                    "send shorter chunks or set truncate to true")
        vectors = await run_in_threadpool(self.embed, texts)
        return (vectors, sum(min(n, embed_limit) for n in lengths)), None

    async def embed_route(self, body: dict[str, Any] = Body(...)):
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else texts if isinstance(texts, list) else [texts]
        started = time.perf_counter()
        result, problem = await self.embed_texts(body.get("model", ""), texts, body.get("truncate", True) is not False)
        if problem:
            return problem
        vectors, tokens = result
        return {"model": body["model"], "embeddings": [v.tolist() for v in vectors],
                **stats(started, {"prompt_tokens": tokens})}

    async def embeddings_legacy(self, body: dict[str, Any] = Body(...)):
        result, problem = await self.embed_texts(body.get("model", ""), [body.get("prompt") or ""], True)
        return problem or {"embedding": result[0][0].tolist()}

    async def pull(self, body: dict[str, Any] = Body(...)):
        models = self.models
        name = body.get("model") or body.get("name") or ""
        if not isinstance(name, str):
            return error(400, "model must be a string")
        if LIBRARY_TAGS.get(name) == "embed" and base_name(name) not in models.created:
            models.created[base_name(name)] = {"from": models.embed_alias, "system": "", "parameters": {}}
        try:
            root, _ = models.resolve(name)
        except LookupError:
            return error(404, f'pull model manifest: "{name}" cannot be downloaded here (no network); this stand-in '
                              f'serves {", ".join(n + TAG for n in models.names())}. With a real Ollama daemon, '
                              f'`ollama pull {name}` downloads it.')
        path = models.files[root]
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        total, expected = sum(p.stat().st_size for p in files), models.digest(name)
        lines = self.pull_lines(root, path, files, total, expected)
        if body.get("stream", True) is False:
            last = [line async for line in lines][-1]
            return error(500, last["error"]) if "error" in last else last
        return ndjson(lines)

    async def pull_lines(self, root: str, path: Path, files: list[Path], total: int, expected: str):
        """A pull's progress lines: `root`'s `files` (`total` bytes) read through, its model file's sha256 checked."""
        yield {"status": "pulling manifest"}
        digest, done = hashlib.sha256(), 0
        checked = files[0] if path.is_file() else path / self.models.infos[root]["file"]
        for p in files:
            with p.open("rb") as f:
                while block := await run_in_threadpool(f.read, CHUNK):
                    if p == checked:
                        digest.update(block)
                    done += len(block)
                    yield {"status": f"pulling {expected[:12]}", "digest": f"sha256:{expected}", "total": total, "completed": done}
        yield {"status": "verifying sha256 digest"}
        if digest.hexdigest() != self.models.infos[root]["sha256"]:  # the model file's own sum (the digest may cover an adapter too)
            yield {"error": f"digest mismatch for {checked.name}: run `make models` to prepare it again"}
            return
        yield {"status": "writing manifest"}
        yield {"status": "success"}

    async def create(self, body: dict[str, Any] = Body(...)):
        models = self.models
        name, parent = base_name(str(body.get("model") or "")), body.get("from") or ""
        if problem := models.naming_problem(name, parent) or guard.ollama_options_problem(body.get("parameters"), "parameters"):
            return error(400, problem)
        if not isinstance(body.get("system") or "", str):
            return error(400, "system must be a string")
        try:
            models.resolve(parent)
        except LookupError as exc:
            return error(404, f"create {name}: FROM {parent!r}: {exc}")
        models.created[name] = {"from": parent, "system": body.get("system") or "",
                                "parameters": body.get("parameters") or {}}
        steps = [{"status": "using existing layer"}, {"status": "writing manifest"}, {"status": "success"}]
        if body.get("stream", True) is False:
            return steps[-1]
        return ndjson(each(steps))

    async def copy(self, body: dict[str, Any] = Body(...)):
        models = self.models
        source, destination = body.get("source") or "", base_name(str(body.get("destination") or ""))
        if problem := models.naming_problem(destination, source):
            return error(400, problem)
        try:
            models.resolve(source)
        except LookupError as exc:
            return error(404, str(exc))
        models.created[destination] = {"from": source, "system": "", "parameters": {}}
        return JSONResponse({}, status_code=200)

    async def delete(self, body: dict[str, Any] = Body(...)):
        models = self.models
        name = base_name(body.get("model", ""))
        if name not in models.created:
            return error(404, f'model "{body.get("model")}" not found (only models made with create can be deleted here)')
        del models.created[name]
        return JSONResponse({}, status_code=200)


def build_router(models: OllamaModels, get_llama: Callable[[], Any], embed: Callable[[list[str]], Any],
                 count_embed_tokens: Callable[[str], int], embed_limit: int):
    """The FastAPI router with Ollama's routes. `get_llama` is an async context manager factory."""
    routes = OllamaRoutes(models, get_llama, embed, count_embed_tokens, embed_limit)
    router = APIRouter()
    router.get("/api/version")(routes.version)
    router.get("/api/tags")(routes.tags)
    router.post("/api/show")(routes.show)
    router.get("/api/ps")(routes.ps)
    router.post("/api/chat")(routes.chat)
    router.post("/api/generate")(routes.generate)
    router.post("/api/embed")(routes.embed_route)
    router.post("/api/embeddings")(routes.embeddings_legacy)
    router.post("/api/pull")(routes.pull)
    router.post("/api/create")(routes.create)
    router.post("/api/copy")(routes.copy)
    router.delete("/api/delete")(routes.delete)
    return router


def llama_lock():
    """An async context manager yielding the loaded Llama, holding llama-cpp-python's server lock."""
    from llama_cpp.server.app import get_llama_proxy

    @contextlib.asynccontextmanager
    async def hold():
        async with contextlib.asynccontextmanager(get_llama_proxy)() as proxy:
            yield proxy(None)

    return hold
