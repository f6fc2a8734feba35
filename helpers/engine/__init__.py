"""The local server: the embedded endpoint that answers Mistral's, OpenAI's and Ollama's APIs offline.

It runs in its own process (`python -m helpers.engine.endpoint`, what `make serve` does), over
llama.cpp (llama-cpp-python) and sentence-transformers, and is reached over HTTP like any backend.

* `endpoint`: the command line (`serve`, `main`) and the list of what the endpoint adds to llama-cpp-python;
* `endpoint_app`: `build_app`, the ASGI app assembled in named steps, and the `/v1` routes of its own;
* `endpoint_checks`: `MistralCompat`, the middleware that checks and rewrites requests before a model sees them;
* `endpoint_guard`: the limits and protections (loopback only, API key, queue, output cap) and the error shapes;
* `endpoint_models`: the served chat models and their cards;
* `chat_format`: the prompt formats (`workbook-gemma`, `workbook-chatml`, `workbook-mistral-v3`) as the exact
  prompt text (`prompt_text`, with its render cache);
* `tool_grammar`: tools and JSON output as llama.cpp grammars (`tool_call_schema`, `schema_grammar`, `grammar_check`);
* `chat_handlers`: the llama-cpp-python chat handlers for those formats (`make_handler`, `register`) and the
  request-side helpers they share with the endpoint's checks (`render_args`, `request_prompt`);
* `mistral_tokens`: the real Mistral encoding of a chat request (mistral-common), for `workbook-mistral-v3`;
* `ollama_api`: Ollama's API under `/api` (`OllamaRoutes`, `build_router`);
* `ollama_models`: `OllamaModels`, the models that API lists (embedded and made with create), and the name/tag helpers;
* `ollama_convert`: Ollama's request and reply shapes to and from the OpenAI / llama-cpp-python ones;
* `serving`: `ManagedServer` and `LocalEndpoint`, which start and stop server processes (no orphans);
* `embedded`: the checksummed stand-in models, prepared from pinned packages;
* `llama_sources`: llama.cpp's GGUF converter, taken from the llama-cpp-python sdist.

Kernel-side code reaches this layer only through `serving`, `embedded`, `chat_format`,
`mistral_tokens` and `llama_sources`; the rest is reached over HTTP (docs/architecture.md).
"""
