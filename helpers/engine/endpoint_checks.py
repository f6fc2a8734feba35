"""What the embedded endpoint checks and rewrites before a request reaches a model: `MistralCompat`.

`MistralCompat` is the ASGI middleware in front of llama-cpp-python's server (`helpers.engine.endpoint_app.build_app`
builds it). For every request it runs `endpoint_guard.refusal` (loopback Host and Origin, API key); for a POST
on a model route it reads the body, applies the queue limit and hands `/v1` requests to `check_and_forward`:
JSON parse, Ollama-made names, `--alias` names, unknown models (404), `guard.unsupported`,
`normalise_chat_request` (Mistral-API fields into what llama-cpp-python accepts), `guard.validate_request`,
`guard.output_limit`, `bad_constraints` (llama.cpp parses the grammar first) and `too_long` (context length).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

from . import chat_format, chat_handlers, fim_format, guardrails, ollama_api, tool_grammar
from . import endpoint_guard as guard

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
                 aliases: dict[str, str] | None = None, embed: Any = None, startup: list[Any] | None = None):
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
        self.embed = embed  # texts -> unit vectors: the moderation classifier's input, for guardrails on chat
        self.startup = startup or []  # async callables awaited once the server has started
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
                tool_grammar.check_tool_schemas(tools, "any" if choice == "required" else choice,
                                                chat_handlers.PARALLEL_TOOL_CALLS.get())
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return str(exc), "tools"
        model = payload.get("model")
        vocab = self.vocabs.get(model) if isinstance(model, str) else None
        if vocab is None:
            return None
        try:
            return tool_grammar.grammar_check(
                vocab, response_format=payload.get("response_format"), tools=tools if path.endswith("chat/completions") else None,
                choice=choice, parallel=chat_handlers.PARALLEL_TOOL_CALLS.get(), grammar=payload.get("grammar"))
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
            text = chat_handlers.request_prompt(self.formats.get(model, chat_format.HANDLER_NAME), guard.as_served(payload),
                                                chat_handlers.PARALLEL_TOOL_CALLS.get())
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
        kind = "embeddings" if path.endswith("embeddings") else "fim" if path == fim_format.FIM_ROUTE else "chat"
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
        if scope["type"] != "http":  # lifespan: llama-cpp-python's server's, then the workbook's start hooks
            await self.app(scope, receive, self.after_startup(send) if scope["type"] == "lifespan" else send)
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
            await self.forward_bounded(target, scope, receive, send)
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
        parallel = chat_handlers.PARALLEL_TOOL_CALLS.set(False)
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
            chat_handlers.PARALLEL_TOOL_CALLS.reset(parallel)

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
        if path == fim_format.FIM_ROUTE and (bad_fim := fim_format.request_problem(payload)):
            await self.reply(send, 400, guard.error_body(bad_fim[0], type_="invalid_request_error", param=bad_fim[1]))
            return
        problem = self.unknown_model(payload.get("model"), path)
        if problem:
            await self.reply(send, 404, guard.error_body(problem, type_="invalid_model", code="model_not_found", param="model"))
            return
        if path == fim_format.FIM_ROUTE:  # from here on, the chat request the FIM stand-in was trained on
            path = "/v1/chat/completions"
            scope = dict(scope, path=path, raw_path=path.encode())
            target = self.app
            payload = fim_format.chat_payload(payload)
        if path == "/v1/embeddings":
            await self.forward(body, target, scope, receive, send)
            return
        chat_handlers.PARALLEL_TOOL_CALLS.set(payload.get("parallel_tool_calls") is True)
        # guardrails on chat are checked here, once the request is valid (without an embedder: refused below)
        rails = payload.pop("guardrails", None) if path == "/v1/chat/completions" and self.embed is not None else None
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
        if rails is not None and (blocked := await self.guardrail_verdict(payload, rails)):
            await self.reply(send, *blocked)
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

    async def forward_bounded(self, target, scope, receive, send) -> None:
        """Hand a request to `target` with its body capped at `guard.MAX_UPLOAD_BYTES`: a 413 when Content-Length says
        it is over, and a body without one that grows past it is cut off (the route sees the client leave)."""
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared > guard.MAX_UPLOAD_BYTES:
            await self.reply(send, 413, guard.error_for(scope["path"], f"Request body over "
                                                        f"{guard.MAX_UPLOAD_BYTES // 2**20} MB."))
            return
        seen = 0

        async def bounded():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            return {"type": "http.disconnect"} if seen > guard.MAX_UPLOAD_BYTES else message

        await target(scope, bounded, send)

    def after_startup(self, send):
        """`send` for the lifespan scope: once the server reports its startup complete, run the start hooks."""
        async def sending(message):
            if message.get("type") == "lifespan.startup.complete":
                for hook in self.startup:
                    await hook()
            await send(message)

        return sending

    async def guardrail_verdict(self, payload: dict[str, Any], rails: Any) -> tuple[int, bytes] | None:
        """(status, body) when the request's guardrails refuse it (400: malformed; 403: blocked), else None."""
        try:
            found = await asyncio.to_thread(guardrails.violations, payload.get("messages") or [], rails, self.embed)
        except guardrails.GuardrailProblem as exc:
            return 400, guard.error_body(str(exc), type_="invalid_request_error", param="guardrails")
        if not found:
            return None
        return 403, guard.error_body("Blocked by guardrails before reaching the model: " + "; ".join(found)
                                     + f" (input moderation by {guardrails.MODEL_ID}, the workbook's stand-in classifier).",
                                     type_="invalid_request_error", param="guardrails")

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
