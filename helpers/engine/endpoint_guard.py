"""What keeps the embedded endpoint up and private under careless or hostile clients.

`helpers.engine.endpoint` calls these before a request reaches a model:

* **Who may call.** Only loopback Host names (a web page using DNS rebinding sends its own name),
  only loopback browser Origins (a page the learner visits must not reach the models), and the API
  key on every route when one is configured.
* **What is served.** Only the routes the workbook documents; llama-cpp-python's extras
  (`/extras/*`, `/v1/engines/...`, `/docs`, `/openapi.json`) answer 404.
* **What a request may ask.** The body is parsed and validated with llama-cpp-python's own request
  models, and errors come back as La Plateforme's 422 (`detail`, which the mistralai SDK parses into
  `HTTPValidationError`) or a 400 naming the field, never a traceback. Output tokens have a default
  and a maximum (`DEFAULT_MAX_TOKENS`, `MAX_OUTPUT_TOKENS`).
* **How long work runs.** Every generation gets a stopping criterion that fires when its client has
  gone away or the server is shutting down (`install_cancellation`), so an abandoned request frees
  the model within a token and SIGTERM stops the process in seconds.
"""

from __future__ import annotations

import contextvars
import functools
import json
import threading
from typing import Any
from urllib.parse import urlsplit

DEFAULT_MAX_TOKENS = 1024  # a chat request without max_tokens stops here at the latest
MAX_OUTPUT_TOKENS = 4096  # the most any request may ask for
MAX_BODY_BYTES = 8 * 2**20  # larger bodies get a 413 before they are read any further
# the routes beyond chat take documents and files: OCR reads up to 50 MB decoded, about 67 MB as base64 JSON
MAX_UPLOAD_BYTES = 72 * 2**20  # a larger body on any other POST route gets a 413 (by Content-Length) or is cut off
MAX_WAITING = 16  # generation requests running or queued for the model; more get a 503 (WORKBOOK_MAX_WAITING)
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
GENERATION_ROUTES = ("/v1/chat/completions", "/v1/completions", "/v1/fim/completions", "/api/chat", "/api/generate")
LLAMA_ROUTES = ("/v1/chat/completions", "/v1/completions")  # served by llama-cpp-python; everything else is ours

CANCELLED: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("workbook_cancelled", default=None)
SHUTDOWN = threading.Event()  # set when the server is asked to stop: running generations end at the next token


def error_body(message: str, *, type_: str, code: str | None = None, param: str | None = None) -> bytes:
    """An error in the shape La Plateforme and OpenAI use."""
    return json.dumps({"object": "error", "message": message, "type": type_, "param": param, "code": code}).encode()


def ollama_error(message: str) -> bytes:
    """An error in Ollama's shape."""
    return json.dumps({"error": message}).encode()


def error_for(path: str, message: str, type_: str = "invalid_request_error",
              detail: list[dict[str, Any]] | None = None) -> bytes:
    """An error body in the shape of the API `path` belongs to: Ollama's under /api, La Plateforme's elsewhere
    (with a 422's `detail` when given)."""
    if path.startswith("/api/"):
        return ollama_error(message)
    body = error_body(message, type_=type_)
    return body if detail is None else json.dumps({**json.loads(body), "detail": detail}).encode()


def _hostname(value: str) -> str:
    return (urlsplit("//" + value).hostname or "").lower()


def host_allowed(host: str | None) -> bool:
    """A Host header naming a loopback address (with any port). A missing header (HTTP/1.0) is allowed."""
    return host is None or _hostname(host) in LOOPBACK_NAMES


def origin_allowed(origin: str | None) -> bool:
    """No Origin (a program, not a web page) or a page served from this machine itself."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in LOOPBACK_NAMES


def key_sent(headers: dict[bytes, bytes], api_key: str) -> bool:
    """Whether the request carries `Authorization: Bearer <api_key>`."""
    value = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = value.partition(" ")
    return scheme.lower() == "bearer" and token.strip() == api_key


def refusal(scope: dict[str, Any], api_key: str | None) -> tuple[int, str] | None:
    """(status, message) when a request must not reach any route, else None."""
    headers = dict(scope.get("headers") or [])
    raw_host, raw_origin = headers.get(b"host"), headers.get(b"origin")
    host = raw_host.decode("latin-1") if raw_host is not None else None
    origin = raw_origin.decode("latin-1") if raw_origin is not None else None
    if not host_allowed(host):
        return 403, ("This endpoint answers only requests addressed to 127.0.0.1 or localhost "
                     f"(Host header was {host!r}).")
    if not origin_allowed(origin):
        return 403, (f"Cross-origin requests from {origin!r} are refused: web pages may not call "
                     "this endpoint. Call it from Python or a local tool.")
    if api_key and not key_sent(headers, api_key):
        return 401, "Missing or wrong API key: send `Authorization: Bearer <key>`."
    return None


def add_error_handlers(app: Any) -> None:
    """Answer every error of the workbook's own routes in the shape of their API, never with a traceback.

    Under /api (Ollama): `{"error": ...}` with 400 for a body that does not parse. Elsewhere: La
    Plateforme's shape, with `detail` on a 422. An unexpected exception is a 500 naming only its type.
    """
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import Response
    from starlette.exceptions import HTTPException

    def respond(request: Any, status: int, message: str, detail: list[dict[str, Any]] | None = None) -> Response:
        body = error_for(request.url.path, message, "invalid_request_error" if status < 500 else "internal_error", detail)
        return Response(body, status_code=status, media_type="application/json")

    async def invalid(request: Any, exc: RequestValidationError) -> Response:
        detail, message, _ = validation_detail(list(exc.errors()))
        ollama = request.url.path.startswith("/api/")
        return respond(request, 400 if ollama else 422, message, None if ollama else detail)

    async def http_error(request: Any, exc: HTTPException) -> Response:
        if exc.status_code == 404 and exc.detail == "Not Found":
            return respond(request, 404, f"No route {request.url.path!r} here. The endpoint serves /v1 "
                                         "(Mistral/OpenAI API) and /api (Ollama API).")
        if exc.status_code == 405:
            return respond(request, 405, f"{request.method} is not allowed on {request.url.path}.")
        return respond(request, exc.status_code, str(exc.detail))

    async def crashed(request: Any, exc: Exception) -> Response:
        return respond(request, 500, f"The endpoint failed on this request ({type(exc).__name__}).")

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crashed)


UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "none"}


def _loc(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a field path (`messages[0].role`), dropping union member names."""
    out = ""
    for part in loc:
        if part == "body":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part[:1].isupper() or "[" in part or part in UNION_TAGS
                                        or part.startswith("function-")):
            continue  # a union member's name, e.g. ChatCompletionRequestUserMessage or literal['auto',...]
        else:
            out += ("." if out else "") + part
    return out or "body"


def validation_detail(errors: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, str]:
    """pydantic errors → (`detail` in La Plateforme's 422 shape, a one-line message, the first field).

    Inputs are not echoed back (a 5 MB field would come back whole); the message merges the errors a
    union produces for one field ("role must be one of ...").
    """
    detail = [{"loc": [*(["body"] if tuple(e["loc"][:1]) != ("body",) else []), *e["loc"]], "msg": e["msg"], "type": e["type"]}
              for e in errors]
    if any(e["type"] == "json_invalid" for e in errors):
        return detail, "Invalid request: the body is not valid JSON.", "body"
    by_field: dict[str, list[str]] = {}
    allowed: dict[str, list[str]] = {}  # field -> the literal values the union members accept
    for e in errors:
        field = _loc(tuple(e["loc"]))
        if e["type"] == "literal_error":
            values = str(e.get("ctx", {}).get("expected", "")).replace(" or ", ", ").split(", ")
            allowed.setdefault(field, []).extend(v for v in values if v not in allowed.get(field, []))
            by_field.setdefault(field, [])
            continue
        msg = e["msg"][:1].lower() + e["msg"][1:]
        if msg not in by_field.setdefault(field, []):
            by_field[field].append(msg)
    for field, values in allowed.items():
        by_field[field].insert(0, f"must be one of {', '.join(values)}" if len(values) > 1 else f"must be {values[0]}")
    # A message with a bad role fails every member of the message union; its role is what to report.
    for role_field in [f for f in by_field if f.endswith(".role")]:
        prefix = role_field[: -len("role")]
        by_field = {f: m for f, m in by_field.items() if f == role_field or not f.startswith(prefix)}
    parts = [f"{field}: {' or '.join(msgs[:5])}" for field, msgs in list(by_field.items())[:3]]
    first = next(iter(by_field), "body")
    return detail, "Invalid request: " + "; ".join(parts) + ".", first


def validate_request(path: str, payload: dict[str, Any]) -> tuple[int, bytes] | None:
    """(status, body) when llama-cpp-python's own request model rejects the payload, else None."""
    from llama_cpp.server.types import CreateChatCompletionRequest, CreateCompletionRequest
    from pydantic import ValidationError

    model = CreateChatCompletionRequest if path == "/v1/chat/completions" else CreateCompletionRequest
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        detail, message, field = validation_detail([dict(e) for e in exc.errors(include_url=False)])
        body = json.loads(error_body(message, type_="invalid_request_error", param=field))
        return 422, json.dumps({**body, "detail": detail}).encode()
    return None


def as_served(payload: dict[str, Any]) -> dict[str, Any]:
    """A valid chat request as llama-cpp-python's server hands it to the chat handler (its own model's dump).

    The context check renders this, not the raw payload, so it counts the tokens of the very prompt the
    handler renders (the server drops fields it does not know, e.g. a tool message's `name`), and the
    handler then finds that rendering in `chat_format`'s cache.
    """
    from llama_cpp.server.types import CreateChatCompletionRequest

    return CreateChatCompletionRequest.model_validate(payload).model_dump()


def output_limit(payload: dict[str, Any], path: str) -> tuple[dict[str, Any], str | None]:
    """The payload with `max_tokens` defaulted, or a message saying why its `max_tokens` is refused.

    Absent or null: `DEFAULT_MAX_TOKENS` for chat (llama-cpp-python would run to the end of the
    context), OpenAI's 16 for plain completions. Below 1 or above `MAX_OUTPUT_TOKENS`: refused
    (llama-cpp-python reads -1 and 0 as "no limit").
    """
    value = payload.get("max_tokens")
    if value is None:
        payload = {k: v for k, v in payload.items() if k != "max_tokens"}
        payload["max_tokens"] = DEFAULT_MAX_TOKENS if path == "/v1/chat/completions" else 16
        return payload, None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OUTPUT_TOKENS:
        return payload, (f"max_tokens must be an integer from 1 to {MAX_OUTPUT_TOKENS} on this endpoint "
                         f"(got {value!r}); omit it for the default of {DEFAULT_MAX_TOKENS}.")
    return payload, None


def unsupported(payload: dict[str, Any]) -> tuple[str, str] | None:
    """(message, field) for a valid field this endpoint cannot honour, instead of silently ignoring it.

    The stand-ins neither reason nor see: `reasoning_effort` and a reasoning `prompt_mode` are refused
    the way La Plateforme refuses them on a model without reasoning, and image or document parts in a
    message the way a model without vision must (its card says `vision: false`).
    """
    if payload.get("n") not in (None, 1):
        return f"n={payload['n']!r} is not supported here: the endpoint returns one choice per request.", "n"
    if payload.get("reasoning_effort") is not None:
        return (f"reasoning_effort={payload['reasoning_effort']!r} is not supported for this model: the stand-ins "
                "do not reason. Check a model's card before sending it (on La Plateforme, Mistral Small 4 and "
                "Mistral Medium 3.5 accept it)."), "reasoning_effort"
    if payload.get("guardrails"):  # chat requests have theirs checked by MistralCompat; other routes take none
        return "guardrails apply to chat requests (/v1/chat/completions) only.", "guardrails"
    if payload.get("prompt_mode") == "reasoning":
        return "Reasoning prompt mode is not enabled for this model.", "prompt_mode"
    for i, message in enumerate(payload.get("messages") or []):
        parts = message.get("content") if isinstance(message, dict) else None
        for part in parts if isinstance(parts, list) else []:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind not in (None, "text"):
                return (f"messages[{i}] holds a {kind!r} part, and this model reads text only (capabilities.vision is "
                        "false in models.list). Send text, or use a vision model such as mistral-small-latest on "
                        "La Plateforme."), f"messages[{i}].content"
    return None


def install_cancellation() -> None:
    """Make every llama.cpp generation in this process stoppable between two tokens.

    Wraps `Llama.create_completion` (which chat handlers and plain completions all go through) so that
    its stopping criteria also fire when the request's `CANCELLED` event is set (its client went away)
    or `SHUTDOWN` is (the server was asked to stop). Idempotent.
    """
    from llama_cpp import Llama, StoppingCriteriaList

    original = Llama.create_completion
    if getattr(original, "workbook_cancellable", False):
        return

    @functools.wraps(original)
    def create_completion(self, *args: Any, **kwargs: Any) -> Any:
        flag = CANCELLED.get()

        def stop(_ids: Any, _logits: Any) -> bool:
            return SHUTDOWN.is_set() or (flag is not None and flag.is_set())

        kwargs["stopping_criteria"] = StoppingCriteriaList([*(kwargs.get("stopping_criteria") or []), stop])
        return original(self, *args, **kwargs)

    create_completion.workbook_cancellable = True  # type: ignore[attr-defined]
    Llama.create_completion = create_completion  # type: ignore[method-assign]


OLLAMA_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "num_predict": (int,), "num_ctx": (int,), "top_k": (int,), "seed": (int,), "num_keep": (int,),
    "repeat_last_n": (int,), "num_batch": (int,), "num_thread": (int,), "num_gpu": (int,),
    "temperature": (int, float), "top_p": (int, float), "min_p": (int, float), "typical_p": (int, float),
    "repeat_penalty": (int, float), "presence_penalty": (int, float), "frequency_penalty": (int, float),
    "stop": (list, str),
}


def ollama_options_problem(options: Any, field: str = "options") -> str | None:
    """Why Ollama `options` (or a created model's `parameters`) are invalid, in Ollama's words; None if fine."""
    if options is None:
        return None
    if not isinstance(options, dict):
        return f"{field} must be an object"
    for key, value in options.items():
        types = OLLAMA_OPTION_TYPES.get(key)
        if types is None or value is None:
            continue  # Ollama ignores unknown options
        if isinstance(value, bool) or not isinstance(value, types):
            kind = "integer" if types == (int,) else "number" if float in types else "string or array of strings"
            return f'option "{key}" must be of type {kind}'
        if key == "stop" and isinstance(value, list) and not all(isinstance(s, str) for s in value):
            return 'option "stop" must be of type string or array of strings'
    return None


OLLAMA_ROLES = ("system", "user", "assistant", "tool")


def ollama_chat_problem(body: dict[str, Any]) -> str | None:
    """Why an Ollama `/api/chat` body is invalid, or None."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model is required"
    messages = body.get("messages", [])
    if not isinstance(messages, list):
        return "messages must be an array of messages"
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages[{i}] must be an object with role and content"
        if message.get("role") not in OLLAMA_ROLES:
            return f"messages[{i}].role must be one of {', '.join(OLLAMA_ROLES)} (got {message.get('role')!r})"
        if not isinstance(message.get("content", ""), (str, type(None))):
            return f"messages[{i}].content must be a string"
    return ollama_common_problem(body)


def ollama_common_problem(body: dict[str, Any]) -> str | None:
    """Checks shared by `/api/chat` and `/api/generate`: stream, options, tools."""
    if not isinstance(body.get("stream", True), bool):
        return "stream must be true or false"
    if body.get("tools") is not None and not isinstance(body["tools"], list):
        return "tools must be an array"
    return ollama_options_problem(body.get("options"))


def ollama_num_predict(value: int | None, default: int) -> int:
    """Ollama's `num_predict` as a bounded llama.cpp `max_tokens`: -1 (until done) and -2 (fill the context)
    mean `MAX_OUTPUT_TOKENS` here, as does anything larger; absent means `default`."""
    if value is None:
        return default
    return MAX_OUTPUT_TOKENS if value < 0 else max(1, min(value, MAX_OUTPUT_TOKENS))
