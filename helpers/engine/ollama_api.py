"""Ollama's REST API over the embedded models, so the official `ollama` client runs offline.

No Ollama daemon can be installed here, so the embedded endpoint also answers Ollama's routes —
`/api/version`, `/api/tags`, `/api/show`, `/api/ps`, `/api/chat`, `/api/generate`, `/api/embed`,
`/api/embeddings`, `/api/pull`, `/api/create`, `/api/copy`, `/api/delete` — with llama.cpp and
sentence-transformers underneath. Streams are JSON lines, one object per line, as Ollama sends them.
It is a stand-in and says so in `/api/version` and `/api/show`; against a real daemon the same
client cells serve `mistral`, `mixtral` or `codestral`.

`make serve-ollama` runs the endpoint on 127.0.0.1:${OLLAMA_PORT:-11435}.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from . import endpoint_guard as guard

VERSION = "0.0.0-workbook-standin"
TAG = ":latest"
CHUNK = 8 << 20  # pull progress granularity
# Ollama library tags whose model *is* one of the embedded files: pulling one makes it a name of that file.
# (Ollama's `all-minilm` is sentence-transformers' all-MiniLM-L6-v2, the embedding stand-in itself.)
LIBRARY_TAGS = {"all-minilm": "embed", "all-minilm:l6-v2": "embed", "all-minilm:latest": "embed"}
# The fields Ollama's OpenAI layer reads, per route (ollama/ollama openai/openai.go: ChatCompletionRequest,
# CompletionRequest, EmbedRequest); it ignores every other field, so a request never fails on one.
OPENAI_FIELDS = {
    "/v1/chat/completions": {"model", "messages", "stream", "stream_options", "max_tokens", "seed", "stop", "temperature",
                             "frequency_penalty", "presence_penalty", "top_p", "response_format", "tools", "reasoning",
                             "reasoning_effort"},
    "/v1/completions": {"model", "prompt", "frequency_penalty", "max_tokens", "presence_penalty", "seed", "stop", "stream",
                        "stream_options", "temperature", "top_p", "suffix"},
    "/v1/embeddings": {"model", "input", "dimensions", "encoding_format"},
}
# What /api/show reports as a chat model's prompt template (Ollama's Go-template notation), by chat format.
TEMPLATES = {
    "workbook-gemma": "<start_of_turn>user\n{{ .Prompt }}<end_of_turn>\n<start_of_turn>model\n",
    "workbook-chatml": "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
                       "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n",
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def base_name(model: str) -> str:
    """`name:latest` and `name` are the same model, as in Ollama."""
    return model[: -len(TAG)] if model.endswith(TAG) else model


def options_to_llama(options: dict[str, Any] | None) -> dict[str, Any]:
    """Ollama `options` → llama-cpp-python sampling arguments."""
    options = options or {}
    mapping = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k", "seed": "seed",
               "num_predict": "max_tokens", "stop": "stop", "repeat_penalty": "repeat_penalty",
               "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty", "min_p": "min_p"}
    out = {mapping[k]: v for k, v in options.items() if k in mapping and v is not None}
    if "max_tokens" in out:  # Ollama's -1 ("until done") and -2 ("fill the context") get this endpoint's maximum
        out["max_tokens"] = guard.ollama_num_predict(out["max_tokens"], default=256)
    return out


def messages_to_openai(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ollama chat messages (dict arguments, `tool_name`) → the OpenAI shape the chat handler reads."""
    out = []
    for i, m in enumerate(messages):
        msg: dict[str, Any] = {"role": m["role"], "content": m.get("content") or ""}
        if m.get("tool_calls"):
            msg["tool_calls"] = [
                {"id": f"call{i}x{j}", "type": "function",
                 "function": {"name": c["function"]["name"], "arguments": json.dumps(c["function"].get("arguments") or {})}}
                for j, c in enumerate(m["tool_calls"])
            ]
        if m["role"] == "tool" and m.get("tool_name"):
            msg["name"] = m["tool_name"]
        out.append(msg)
    return out


def tool_calls_to_ollama(calls: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """OpenAI tool calls (arguments as a JSON string) → Ollama's (arguments as an object)."""
    if not calls:
        return None
    return [{"function": {"index": i, "name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"] or "{}")}}
            for i, c in enumerate(calls)]


def response_format(fmt: Any) -> dict[str, Any] | None:
    """Ollama `format` ("json" or a JSON schema) → llama-cpp-python's response_format."""
    if fmt == "json":
        return {"type": "json_object"}
    if isinstance(fmt, dict):
        return {"type": "json_object", "schema": fmt}
    return None


def prompt_tokens(llama: Any, kwargs: dict[str, Any]) -> int:
    """How many tokens the chat handler's prompt takes (a stream's chunks carry no usage, Ollama's last line does)."""
    from . import chat_format

    fmt = getattr(llama, "chat_format", None) or chat_format.HANDLER_NAME
    text = chat_format.prompt_text(fmt, kwargs["messages"], kwargs.get("tools"), kwargs.get("tool_choice") or "auto")
    return len(llama.tokenize(text.encode(), add_bos=True, special=True))


class OllamaModels:
    """The models this API lists: the embedded ones plus those made with `/api/create`."""

    def __init__(self, chat_alias: str, embed_alias: str, files: dict[str, Path], infos: dict[str, dict[str, Any]],
                 metadata: dict[str, str], n_ctx: int, embed_dimension: int):
        self.chat_alias = chat_alias
        self.embed_alias = embed_alias
        self.files = files
        self.infos = infos
        self.metadata = metadata
        self.n_ctx = n_ctx
        self.embed_dimension = embed_dimension
        self.created: dict[str, dict[str, Any]] = {}  # name -> {"from", "system", "parameters"}
        self.modified = now_iso()

    def names(self) -> list[str]:
        return [self.chat_alias, self.embed_alias, *self.created]

    def resolve(self, model: str) -> tuple[str, dict[str, Any]]:
        """(underlying embedded model, created-model settings) for a requested name."""
        name = base_name(model or "")
        if name in (self.chat_alias, self.embed_alias):
            return name, {}
        if name in self.created:
            spec = self.created[name]
            root, parent = self.resolve(spec["from"])
            return root, {**parent, **{k: v for k, v in spec.items() if v}}
        raise LookupError(f'model "{model}" not found, try pulling it first (this stand-in serves: '
                          f'{", ".join(n + TAG for n in self.names())})')

    def as_openai(self, payload: dict[str, Any], path: str) -> dict[str, Any] | None:
        """A `/v1` request naming a model made here with create, copy or pull, rewritten for the model it comes
        from (its SYSTEM prompt and PARAMETERs applied, as Ollama's OpenAI layer does); None for other names.

        Fields Ollama's OpenAI layer does not read are dropped, as Ollama's JSON decoding drops them:
        `tool_choice`, `parallel_tool_calls`, Mistral's `random_seed` and `safe_prompt`, and so on."""
        name = payload.get("model")
        if not isinstance(name, str) or base_name(name) not in self.created:
            return None
        root, spec = self.resolve(name)
        known = OPENAI_FIELDS.get(path)
        out = {**{k: v for k, v in payload.items() if known is None or k in known}, "model": root}
        if path.endswith("chat/completions") and isinstance(out.get("messages"), list):
            if spec.get("system") and not any(isinstance(m, dict) and m.get("role") == "system" for m in out["messages"]):
                out["messages"] = [{"role": "system", "content": spec["system"]}, *out["messages"]]
            for key, value in options_to_llama(spec.get("parameters")).items():
                out.setdefault(key, value)
        return out

    def openai_cards(self, card: Callable[[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
        """`/v1/models` entries for the models made here, as Ollama lists them (`name:latest`)."""
        return [card(name + TAG, self.resolve(name)[0]) for name in self.created]

    def naming_problem(self, name: str, parent: Any) -> str | None:
        """Why a model `name` may not be made from `parent` (create, copy), or None.

        Built-in names are taken, and a model may not be made from itself or from a model made
        from it: resolving such a loop would never end.
        """
        if not name:
            return "a model name is required"
        if not isinstance(parent, str) or not parent:
            return "the model to start from is required (from / source)"
        if name in (self.chat_alias, self.embed_alias):
            return f"{name} is built in; choose another name"
        ancestor: str | None = base_name(parent)
        while ancestor is not None:
            if ancestor == name:
                return f"{name} cannot be made from {parent}: a model may not come from itself"
            ancestor = self.created.get(ancestor, {}).get("from")
            ancestor = base_name(ancestor) if ancestor else None
        return None

    def digest(self, name: str) -> str:
        root, _ = self.resolve(name)
        info = self.infos[root]
        if info.get("adapter_sha256"):  # base model + adapter: a digest of both, as Ollama digests its layers
            return hashlib.sha256((info["sha256"] + info["adapter_sha256"]).encode()).hexdigest()
        return info["sha256"]

    def details(self, name: str) -> dict[str, Any]:
        root, _ = self.resolve(name)
        if root == self.chat_alias:
            params = int(self.metadata.get("general.parameter_count", 0) or self.infos[root].get("parameters", 0))
            family = self.metadata.get("general.architecture", "llama")
            return {"parent_model": "", "format": "gguf", "family": family, "families": [family],
                    "parameter_size": f"{params / 1e6:.0f}M" if params else "",
                    "quantization_level": self.infos[root].get("quantization", "")}
        return {"parent_model": "", "format": "safetensors", "family": "bert", "families": ["bert"],
                "parameter_size": "23M", "quantization_level": "F32"}

    def size(self, name: str) -> int:
        root, _ = self.resolve(name)
        path = self.files[root]
        return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    def listing(self, name: str) -> dict[str, Any]:
        return {"name": name + TAG, "model": name + TAG, "modified_at": self.modified, "size": self.size(name),
                "digest": self.digest(name), "details": self.details(name)}


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def ndjson(lines: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    async def encode():
        async for line in lines:
            yield json.dumps(line) + "\n"
    return StreamingResponse(encode(), media_type="application/x-ndjson")


def stats(started: float, usage: dict[str, int]) -> dict[str, Any]:
    total = int((time.perf_counter() - started) * 1e9)
    return {"total_duration": total, "load_duration": 0, "prompt_eval_count": usage.get("prompt_tokens", 0),
            "prompt_eval_duration": 0, "eval_count": usage.get("completion_tokens", 0), "eval_duration": total}


def reply_line(name: str, field: str, text: str, calls=None, done=False) -> dict[str, Any]:
    """One line of a reply: /api/chat's (`field` "message") or /api/generate's (`field` "response")."""
    line: dict[str, Any] = {"model": name, "created_at": now_iso()}
    if field == "message":
        line["message"] = {"role": "assistant", "content": text}
        if calls:
            line["message"]["tool_calls"] = calls
    else:
        line["response"] = text
    line["done"] = done
    return line


async def each(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


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
            from . import chat_format

            bad = await run_in_threadpool(
                chat_format.grammar_check, llama._model.vocab, response_format=kwargs.get("response_format"),
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
