"""Write data/assistant/train/knowledge.jsonl: the `fact`, `classify`, `constraint` and `multiturn`
training conversations of the workbook assistant (see data/assistant/README.md).

Standard library only, deterministic. Run from anywhere: ``python3 scripts/assistant_data/knowledge.py``.

Workbook facts are grounded in data/mistral_family.json, data/rag/docs/*.md, data/quant_formats.json,
data/finetune/README.md, data/embedded_models.json, data/prices.json and README.md (where files
differ, data/rag/docs and mistral_family.json win). General knowledge is kept to common facts.
Nothing here comes from data/benchmarks/; build.py drops anything that overlaps the held-out set.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "assistant" / "train" / "knowledge.jsonl"

RECORDS: list[dict] = []


def sys_(text: str) -> dict:
    return {"role": "system", "content": text}


def u(text: str) -> dict:
    return {"role": "user", "content": text}


def a(text: str) -> dict:
    return {"role": "assistant", "content": text}


def add(kind: str, messages: list[dict]) -> None:
    RECORDS.append({"kind": kind, "messages": messages})


# System prompts for fact records, used in a fixed rotation (None: no system turn).
FACT_SYSTEMS = [
    None, "You are a concise assistant.", None, None, "You are a helpful assistant.", None,
    "Answer briefly and accurately.", None, "You are the Mistral Workbook's assistant.", None, None,
    "You are a concise assistant for a model-serving team.", None, "Keep answers short.", None,
]
_rot = 0


def fact(answer: str, *questions) -> None:
    """One fact asked several ways. A question may be (question, answer) to override the answer."""
    global _rot
    for q in questions:
        q, ans = (q if isinstance(q, tuple) else (q, answer))
        system = FACT_SYSTEMS[_rot % len(FACT_SYSTEMS)]
        _rot += 1
        add("fact", ([sys_(system)] if system else []) + [u(q), a(ans)])


# =============================================================================================
# fact: the Mistral family
# =============================================================================================

# --- Mistral 7B -------------------------------------------------------------------------------
fact("Mistral 7B has about 7.3 billion parameters (Hugging Face counts 7.24 billion). It is dense, so every "
     "parameter takes part in every token.",
     "How many parameters does Mistral 7B have?",
     "mistral 7b param count?",
     "Tell me the size of Mistral 7B in parameters.")
fact("Mistral 7B is a dense decoder-only transformer: 32 layers, a hidden size of 4,096, 32 attention heads and a "
     "feed-forward width of 14,336.",
     "Describe the architecture of Mistral 7B.",
     ("How many layers does Mistral 7B have?", "32 layers, with a hidden size of 4,096 and 32 attention heads."),
     "mistral 7b hidden size, heads, ffn width?")
fact("Grouped-query attention lets several query heads share one key-value head. Mistral 7B shares 8 key-value heads "
     "among its 32 query heads, which cuts the key-value cache to a quarter and speeds up generation.",
     "What is grouped-query attention in Mistral 7B?",
     "Explain why Mistral 7B has only 8 key-value heads.",
     "gqa in mistral 7b?")
fact("The first version of Mistral 7B used sliding-window attention: each layer looked back 4,096 tokens, and "
     "stacked layers carried information further. Version 0.2 dropped it and raised the context to 32K tokens.",
     "Does Mistral 7B use sliding-window attention?",
     "Explain Mistral 7B's sliding window.",
     ("What changed in Mistral 7B Instruct v0.2?",
      "Version 0.2 raised the context window to 32K tokens and dropped the sliding-window attention of v0.1."))
fact("Mistral 7B v0.3 extended the vocabulary to 32,768 tokens (the v3 tokenizer) and added function calling, with "
     "control tokens such as [AVAILABLE_TOOLS] and [TOOL_CALLS].",
     "What's new in Mistral 7B v0.3?",
     ("Which version of Mistral 7B added function calling?",
      "Version 0.3. It added function calling with control tokens such as [AVAILABLE_TOOLS] and [TOOL_CALLS], and a "
      "32,768-token vocabulary."),
     ("vocab size of mistral 7b v0.3?", "32,768 tokens, the Mistral v3 tokenizer."))
fact("Mistral 7B is released under the Apache 2.0 licence, so you may use it commercially without asking anyone.",
     "Under which licence can I use Mistral 7B?",
     "Can I put Mistral 7B in a commercial product?",
     "mistral 7b licence")
fact("Mistral 7B was Mistral AI's first open model, released in September 2023. The v0.3 instruct version followed "
     "in May 2024.",
     "When did Mistral 7B come out?",
     "What was Mistral AI's first open model?",
     "mistral 7b release date?")
fact("In 16-bit precision Mistral 7B's weights take about 14.5 GB. A 4-bit GGUF file of the same model is about "
     "4.4 GB and runs on a laptop CPU.",
     "How much memory does Mistral 7B need?",
     ("Will Mistral 7B fit on a 16 GB graphics card?",
      "Only just: the 16-bit weights alone take about 14.5 GB, so a 16 GB card is tight once the key-value cache is "
      "added. A 4-bit version (about 4.4 GB) fits easily."),
     ("Explain why Mistral 7B is popular for edge devices.",
      "Its 4-bit GGUF file is only about 4.4 GB and runs on a laptop CPU, so Mistral 7B is the usual pick for edge "
      "devices and on-device features."))
fact("Mistral 7B Instruct (v0.2 and later) has a 32K-token context window: 32,768 tokens.",
     "What is Mistral 7B's context length?",
     "How many tokens can Mistral 7B read at once?")
fact("On Ollama it is `mistral`, on Hugging Face `mistralai/Mistral-7B-Instruct-v0.3`, and on La Plateforme it was "
     "`open-mistral-7b`, an endpoint deprecated in late 2024 and retired in 2025.",
     "What are Mistral 7B's names on Ollama, Hugging Face and the API?",
     ("Which Ollama tag runs Mistral 7B?", "`mistral`: `ollama pull mistral` downloads Mistral 7B Instruct."),
     ("Can I still call open-mistral-7b on the API?",
      "Probably not: Mistral deprecated open-mistral-7b in late 2024 and retired it in 2025. Check the models page, "
      "or run Mistral 7B yourself, e.g. with Ollama (`mistral`)."))

# --- Mixtral ----------------------------------------------------------------------------------
fact("A mixture-of-experts model replaces each feed-forward block with several experts plus a small router. For "
     "every token the router picks a few experts (two of eight in Mixtral) and mixes their outputs, so only part of "
     "the model runs per token.",
     "What is a mixture of experts?",
     "Explain sparse MoE in two sentences.",
     ("How does Mixtral's router work?",
      "At every layer, for every token, a small router network scores the eight experts, keeps the two best and "
      "mixes their outputs with the router's weights."))
fact("Mixtral 8x7B has 46.7 billion parameters in total, of which about 12.9 billion are used for any one token.",
     "What is the parameter count of Mixtral 8x7B?",
     "mixtral active params?",
     "Explain Mixtral 8x7B's total versus active parameters.",
     ("Why isn't Mixtral 8x7B 56 billion parameters?",
      "Only the feed-forward blocks are split into eight experts; attention layers, embeddings and the router are "
      "shared. So the total is 46.7 billion, not 8 times 7."))
fact("Mixtral has 8 experts in each layer, and 2 of them are active for each token.",
     "How many experts does Mixtral have?",
     "mixtral experts per token?",
     ("How many experts does Mixtral 8x22B use per token?", "Two of its eight experts, like Mixtral 8x7B."))
fact("Each token costs about as much compute as a 13B dense model, but all eight experts must stay in memory, so "
     "Mixtral 8x7B needs the memory of a 47B model: about 94 GB in 16-bit, about 26 GB at 4 bits.",
     "What is the trade-off in Mixtral's design?",
     "How much memory does Mixtral 8x7B need?",
     ("Why does Mixtral need so much memory if only 13B parameters are active?",
      "The next token may be routed to any expert, so all eight must sit in memory. Mixtral 8x7B computes like a "
      "13B model but needs the memory of a 47B one."))
fact("Mixtral 8x7B was released in December 2023 under Apache 2.0. It reads up to 32K tokens, and Ollama serves it "
     "as `mixtral`.",
     "When did Mixtral 8x7B come out, and under what licence?",
     ("Mixtral 8x7B context window?", "32K tokens (32,768)."),
     ("Which Ollama tag is Mixtral 8x7B?", "`mixtral`. Mixtral 8x22B is `mixtral:8x22b`."))
fact("Mixtral 8x22B, released in April 2024 under Apache 2.0, has 141 billion parameters in total, about 39 billion "
     "active per token, and a 64K-token context window.",
     "Tell me about Mixtral 8x22B.",
     "mixtral 8x22b size?",
     ("What is the context length of Mixtral 8x22B?", "64K tokens: 65,536."),
     ("What hardware is Mixtral 8x22B meant for?",
      "Multi-GPU servers. With 141 billion parameters it is the strongest first-generation open Mistral model."))

# --- Large, Small, NeMo, Codestral, newer -----------------------------------------------------
fact("Mistral Large is Mistral's flagship. Mistral Large 2, released in July 2024, is a dense model with 123 billion "
     "parameters and a 128K-token context window.",
     "What is Mistral Large?",
     "How big is Mistral Large 2?",
     ("Mistral Large 2 context length?", "128K tokens (131,072)."))
fact("Mistral Large 2's weights are under the Mistral Research Licence: research and non-commercial use. Commercial "
     "self-hosting needs a licence from Mistral, while the API is open to any paying account.",
     "Can I self-host Mistral Large commercially?",
     "What licence covers Mistral Large 2's weights?",
     "mistral large licence?")
fact("`mistral-large-latest` is a moving alias. Since December 2025 it names Mistral Large 3, a mixture of experts "
     "with 675B total and 41B active parameters and a 256K context.",
     "Which model does mistral-large-latest point to now?",
     ("What is Mistral Large 3?",
      "A mixture-of-experts model with 675B total and 41B active parameters and a 256K context, released in "
      "December 2025. It is what `mistral-large-latest` names now."))
fact("Aliases such as `mistral-large-latest` move to each new release, so an evaluation that passed last month may "
     "fail later. In production, pin a dated name such as `mistral-large-2411` and upgrade deliberately after testing.",
     "Should I use mistral-large-latest in production?",
     "Why pin a dated model name?",
     "What's risky about -latest model aliases?")
fact("Mistral Small 3, released in January 2025, is a 24-billion-parameter dense model under Apache 2.0 with a 32K "
     "context. It is the cost-efficient choice for chat, RAG and function calling.",
     "What is Mistral Small 3?",
     "mistral small 3 params and licence?",
     ("Does Mistral Small fit on a single GPU?", "Mistral Small 3 (24B) fits one 24 GB GPU when quantized to 4 bits."),
     ("What did Mistral Small 3.1 and 3.2 add?",
      "Vision and a 128K context, on the same 24B text backbone as Mistral Small 3."))
fact("Mistral NeMo is a 12-billion-parameter dense model built by Mistral AI with NVIDIA, released in July 2024 under "
     "Apache 2.0, with a 128K-token context window.",
     "What is Mistral NeMo?",
     ("Who built Mistral NeMo?", "Mistral AI together with NVIDIA. It was released in July 2024."),
     ("NeMo context window?", "128K tokens, four times the 32K of Mistral 7B."),
     ("How many parameters does Mistral Nemo have?", "12 billion (12.2 billion by Hugging Face's count)."))
fact("Tekken is the tokenizer introduced with Mistral NeMo. It is based on tiktoken and has about 131,000 entries "
     "(131,072), far more than the 32,768 of Mistral 7B v0.3.",
     "What is Tekken?",
     "Which tokenizer does Mistral NeMo use?",
     ("Why does a bigger vocabulary help?",
      "It packs text into fewer tokens, especially code and languages such as Chinese, Korean, Arabic or Hindi, so "
      "the same context holds more text and generation needs fewer steps."),
     ("Which Mistral models have a 131,072-token vocabulary?",
      "Mistral NeMo and Mistral Small 3 (24B). Mistral 7B v0.3 has 32,768."))
fact("NeMo was trained with quantization awareness, so it runs with FP8 weights without a measurable loss. It uses "
     "the standard architecture, making it a drop-in replacement for Mistral 7B, though its 16-bit weights need "
     "about 24 GB.",
     "Can Mistral NeMo run in FP8?",
     "Is NeMo a drop-in replacement for Mistral 7B?",
     ("Ollama tag for Mistral NeMo?",
      "`mistral-nemo`. The instruct weights are `mistralai/Mistral-Nemo-Instruct-2407` and the API id is "
      "`open-mistral-nemo`."))
fact("Codestral is Mistral AI's code model, first released in May 2024 with 22 billion parameters and a 32K-token "
     "context window. It was trained on more than 80 programming languages.",
     "What is Codestral?",
     "codestral size and context?",
     ("How many programming languages does Codestral know?",
      "It was trained on more than 80, from Python, Java and C++ to Bash, SQL and Fortran."))
fact("In fill-in-the-middle (FIM), the request gives the code before the cursor and the code after it, and the "
     "model writes what belongs in between. Codestral supports it; editor plug-ins use it for inline completion.",
     "What is fill-in-the-middle?",
     "Explain FIM for Codestral.",
     ("Why do editor plug-ins use FIM?",
      "The model sees the code after the cursor too, such as the function's end, not only what came before, so its "
      "inline completion fits the surrounding code."))
fact("Codestral's weights are not Apache 2.0: they are under the Mistral AI Non-Production Licence, which allows "
     "research, testing and personal use. Commercial use goes through the API (`codestral-latest`) or a commercial "
     "licence.",
     "Is Codestral Apache 2.0?",
     "Can I ship a product that runs Codestral's weights myself?",
     "codestral licence?")
fact("Since mid-2025 `codestral-latest` names Codestral 25.08, an API-only model with a 256K context, not the 22B "
     "open weights. Ollama serves the 22B model as `codestral`.",
     "What model is behind codestral-latest?",
     ("Which Ollama tag runs Codestral?", "`codestral`, e.g. `ollama pull codestral`."))
fact("Ministral 3 is a family of small dense models (3B, 8B and 14B) for on-device use, released with Mistral Large 3 "
     "in December 2025.",
     "What is Ministral 3?",
     "ministral sizes?")
fact("Among the open checkpoints, Mixtral 8x7B and Mixtral 8x22B are mixtures of experts; Mistral 7B, NeMo, Small 3, "
     "Large 2 and Codestral are dense. Mistral Large 3 is also a mixture of experts.",
     "Which Mistral models are mixtures of experts?",
     "List the dense Mistral models.")
fact("Mistral 7B, Mixtral 8x7B, Mixtral 8x22B, Mistral NeMo and Mistral Small 3 are Apache 2.0. Mistral Large 2 uses "
     "the Mistral Research Licence and Codestral the Non-Production Licence.",
     "Which open Mistral models are Apache 2.0?",
     "Explain the licences across the Mistral family.")
fact("Among the open checkpoints, Mistral Large 2 and Mistral NeMo, with 128K tokens. The API-only Mistral Large 3 "
     "and Codestral 25.08 reach 256K.",
     "Which Mistral model has the longest context?",
     "longest context mistral model?")
fact("Codestral: Mistral's code model, with fill-in-the-middle completion for editors.",
     "Which Mistral model should I use for code?")
fact("Mistral Large, in practice through the API: it is meant for the hardest reasoning and analysis.",
     "Which Mistral model is for the hardest reasoning tasks?")
fact("Mixtral 8x7B: it gives high quality at the compute cost of a ~13B model, if you have memory for all 46.7B "
     "parameters.",
     "I want high quality at the compute cost of a 13B model and I have lots of memory. Which Mistral model?")

# =============================================================================================
# fact: embeddings
# =============================================================================================
fact("mistral-embed turns each text into a vector of 1,024 numbers, whatever the text's length, and accepts up to "
     "8,192 tokens per input.",
     "What is the dimension of mistral-embed?",
     "mistral-embed vector size?",
     "Explain what mistral-embed does.",
     ("How long can a mistral-embed input be?", "Up to 8,192 tokens per input; each becomes a 1,024-number vector."))
fact("Call `client.embeddings.create(model=\"mistral-embed\", inputs=[...])`. Send many texts in one request, but keep "
     "batches reasonable: very large ones are refused.",
     "How do I get embeddings with the mistralai SDK?",
     "Which SDK call creates embeddings?")
fact("Cosine similarity is the dot product of two vectors divided by the product of their lengths; it runs from -1 "
     "to 1. For vectors normalised to length one it is simply the dot product.",
     "What is cosine similarity?",
     "How do you compare two embeddings?",
     ("Why normalise embedding vectors?",
      "Once vectors have length one, cosine similarity equals the dot product, which vector databases compute fastest."))
fact("A vector database collection is created for one dimension, so vectors of another size fail with a dimension "
     "error. Create a new collection with the new model's dimension and re-embed every document and query with that "
     "one model.",
     "I switched embedding models and my vector DB writes now fail. Why?",
     "How do I fix an embedding dimension mismatch?",
     ("Can I mix vectors from two embedding models in one index?",
      "No. Even when the sizes match, vectors from two different models are not comparable. Use one model per "
      "collection and re-embed everything when you switch."))
fact("OpenAI's text-embedding-3-small and ada-002 give 1,536-dimensional vectors, against 1,024 for mistral-embed.",
     "What is the dimension of text-embedding-3-small?",
     "Compare mistral-embed's dimension with ada-002's.")
fact("Offline, the workbook uses all-MiniLM-L6-v2 (`standin-minilm-l6-v2`), which gives 384-dimensional vectors, as a "
     "stand-in for the 1,024-dimensional mistral-embed.",
     "Which model stands in for mistral-embed offline?",
     "What is standin-minilm-l6-v2?",
     "Why are my offline embeddings 384-dim instead of 1024?")
fact("mistral-embed is billed on input tokens only: $0.10 per million tokens on the standard tier.",
     "How much does mistral-embed cost?")
fact("An embedding is a vector of numbers that represents a text's meaning: texts with similar meaning get vectors "
     "that point in similar directions.",
     "What is an embedding?",
     "Explain text embeddings simply.")

# =============================================================================================
# fact: La Plateforme and the SDK
# =============================================================================================
fact("La Plateforme is Mistral AI's hosted API. You create an API key at console.mistral.ai and call the models from "
     "Python with the `mistralai` SDK.",
     "What is La Plateforme?",
     ("Where do I get a Mistral API key?",
      "In the console at console.mistral.ai, under API keys. Keep it out of notebooks and repositories."))
fact("Export it as the environment variable MISTRAL_API_KEY in the shell that starts Python or JupyterLab, or read it "
     "with getpass. Never write the key into a notebook or a repository.",
     "How should I store my Mistral API key?",
     "Can I paste my API key into a notebook cell?",
     ("How does the client get my key?",
      "You pass it: `Mistral(api_key=os.environ[\"MISTRAL_API_KEY\"])`, with the key exported in the shell first."))
fact("The official SDK is `mistralai`: `pip install mistralai`. `pip install mistral` installs something else.",
     "Which pip package is Mistral's Python SDK?",
     "I get ModuleNotFoundError: No module named 'mistral'. What's wrong?",
     "pip install mistral or mistralai?")
fact("Version 3 of the SDK moved the client: use `from mistralai.client import Mistral`. The old "
     "`from mistralai import Mistral` raises an ImportError.",
     "How do I import the Mistral client class?",
     "ImportError: cannot import name 'Mistral' from 'mistralai'. Fix?",
     "Why does my old tutorial's import of Mistral fail?")
fact("`client.chat.complete(model=..., messages=[...])` returns an answer, `client.chat.stream(...)` returns it in "
     "pieces as it is generated, and `client.embeddings.create(...)` returns vectors.",
     "What are the main calls of the mistralai client?",
     "Difference between chat.complete and chat.stream?",
     ("How do I stream a chat answer with the SDK?",
      "Use `client.chat.stream(model=..., messages=[...])`: it yields the answer in pieces as it is generated."))
fact("Messages are dictionaries with a role (system, user, assistant or tool) and content.",
     "What roles can a chat message have?",
     "What does a message look like in the Mistral API?")
fact("Common parameters are temperature, max_tokens, random_seed, response_format for JSON output, and tools with "
     "tool_choice for function calling.",
     "Which parameters does chat.complete accept?",
     ("How do I get JSON output from the API?",
      "Pass `response_format={\"type\": \"json_object\"}`, or a `json_schema` format to make the answer follow a "
      "schema."))
fact("`tool_choice` \"auto\" lets the model decide whether to call a tool, \"any\" forces a call, \"none\" forbids "
     "calls, and naming a function forces that one.",
     "What are the tool_choice options?",
     "Explain tool_choice auto vs any.")
fact("Function calling lets the model answer with a request to call one of the tools you describe, a name plus JSON "
     "arguments. Your code runs the tool and sends the result back for the final answer.",
     "What is function calling?",
     "how does tool calling work with mistral?")
fact("401 Unauthorized: the API key is missing or revoked. Create a new key in the console.",
     "What does a 401 from the Mistral API mean?",
     "InvalidKey, HTTP 401. What now?")
fact("429 means too many requests in a short time. Wait and retry with exponential backoff.",
     "How should I handle HTTP 429 from La Plateforme?",
     "Explain a 429 error.")
fact("The request is rejected with a message that names the model's context limit. Shorten the conversation or the "
     "documents.",
     "What happens if my prompt is longer than the context window?",
     "ContextTooLong error: what does it mean?")
fact("Names differ between stacks: the API says `open-mistral-7b`, Ollama says `mistral`, and vLLM wants the Hugging "
     "Face repository name. `client.models.list()` shows what your key can use today.",
     "Why does the same Mistral model have different names?",
     ("How can I see which models my API key can use?", "Call `client.models.list()`."),
     ("What happens if I request a model name that doesn't exist?",
      "The request fails with an error saying the model is invalid. `client.models.list()` shows valid names."))
fact("Temperature controls randomness. At 0 the model takes the most likely tokens, so repeated calls agree; higher "
     "values sample more varied text.",
     "What does temperature do?",
     "temperature 0 vs 0.7?")
fact("random_seed fixes the sampling: with the same seed and settings, a sampled answer comes out the same again.",
     "What is random_seed for?")
fact("`response.usage` reports prompt tokens, completion tokens and their total. max_tokens caps the completion.",
     "What does response.usage tell me?",
     "What does max_tokens do?")
fact("The API keeps no memory between requests: each one resends the whole conversation, so prompt tokens grow with "
     "every turn.",
     "Why do prompt tokens grow in a multi-turn chat?",
     "Does the Mistral API remember earlier messages?")
fact("Time to first token is how long you wait before the first piece of a streamed answer arrives. Streaming shows "
     "text early even when the whole answer takes longer.",
     "What is time to first token?",
     "Why stream answers?")

# --- prices ----------------------------------------------------------------------------------
fact("`mistral-large-latest` (now Mistral Large 3) costs $0.50 per million input tokens and $1.50 per million output "
     "tokens on the standard tier.",
     "What does mistral-large-latest cost?",
     "price of mistral large per million tokens?")
fact("$0.15 per million input tokens and $0.60 per million output tokens; the alias now points to Mistral Small 4 "
     "(mistral-small-2603).",
     "How much is mistral-small-latest?")
fact("The Batch API costs 50 % of the standard prices.",
     "Is the Batch API cheaper?",
     "batch api discount?")
fact("Multiply input tokens by the input price and output tokens by the output price, both per million tokens, and "
     "add them. Prices change, so check the pricing page before you budget.",
     "How do I estimate what a request costs?")
fact("Magistral Medium and Magistral Small are Mistral's reasoning models; their thinking is billed as output tokens. "
     "Medium costs $2.00 in / $5.00 out per million, Small $0.50 / $1.50.",
     "What is Magistral and how is it billed?")
fact("Ministral 3 3B (`ministral-3b-2512`): $0.10 per million tokens for both input and output.",
     "Which chat model is cheapest in the workbook's price table?")
fact("`codestral-latest` costs $0.30 per million input tokens and $0.90 per million output tokens.",
     "codestral-latest price?")
fact("`devstral-latest` points to Devstral 2, for agentic coding, at $0.40 in / $2.00 out per million tokens. "
     "`mistral-medium-latest` (Mistral Medium 3.5) costs $1.50 / $7.50.",
     "What are Devstral and Mistral Medium on the price list?")
fact("$0.15 per million tokens for both input and output.",
     "How much does open-mistral-nemo cost?")

# =============================================================================================
# fact: self-hosting (Ollama, vLLM)
# =============================================================================================
fact("Ollama runs open models on your own machine with one command: `ollama pull mistral` downloads Mistral 7B "
     "Instruct, and `ollama run mistral` starts a chat in the terminal.",
     "What is Ollama?",
     ("What does `ollama pull mistral` do?",
      "It downloads Mistral 7B Instruct, already quantized (usually to 4 bits), onto your machine."),
     ("How do I chat with Mistral 7B in a terminal?", "`ollama run mistral`."))
fact("The Ollama daemon serves its HTTP API on localhost port 11434.",
     "What port does Ollama use?",
     "ollama default port",
     ("Which address do Ollama clients connect to by default?",
      "127.0.0.1:11434, unless the OLLAMA_HOST environment variable says otherwise."))
fact("Ollama's native routes are /api/chat, /api/generate and /api/embed, and it serves an OpenAI-compatible API "
     "under /v1, so OpenAI client code works after changing the base URL.",
     "What API routes does Ollama have?",
     ("Can I use the openai client with Ollama?",
      "Yes: Ollama serves an OpenAI-compatible API under /v1, so set the base URL to http://localhost:11434/v1."))
fact("OLLAMA_HOST tells clients where the daemon is; it defaults to 127.0.0.1:11434. Set it to reach a daemon on "
     "another machine or port.",
     "What is OLLAMA_HOST?",
     "How do I point Ollama clients at another machine?")
fact("A Modelfile customises a model: FROM names the base model, and it can set a system prompt, a chat template and "
     "parameters such as temperature or num_ctx. `ollama create my-analyst -f Modelfile` builds it.",
     "What is a Modelfile?",
     "How do I build a custom Ollama model?",
     ("What does num_ctx set in a Modelfile?", "The context length, in tokens, that the model runs with."))
fact("Yes: the library's default tags are already quantized, usually to 4 bits, so they fit on laptops. Other "
     "quantizations are available as separate tags.",
     "Are Ollama models quantized?",
     ("How do I see which Ollama models are installed?", "`ollama list`."))
fact("Ollama's tags include `mistral` (Mistral 7B), `mixtral`, `mixtral:8x22b`, `codestral`, `mistral-nemo`, "
     "`mistral-small` and `mistral-large`.",
     "Which Mistral models can Ollama pull?")
fact("With self-hosting, prompts never leave your machine. That is the main reason teams choose it for sensitive data.",
     "Why self-host a model?",
     ("Do prompts sent to Ollama leave my computer?",
      "No. Ollama runs the model locally, so prompts and answers stay on your machine."))
fact("vLLM is a high-throughput inference server for GPUs with an OpenAI-compatible API.",
     "What is vLLM?",
     ("How do I start vLLM for Mistral 7B?",
      "`python -m vllm.entrypoints.openai.api_server --model mistralai/Mistral-7B-Instruct-v0.3 --tokenizer-mode "
      "mistral --port 8000`, then point an OpenAI client at http://localhost:8000/v1."),
     ("What model name do I send to vLLM?",
      "The Hugging Face repository name, for example `mistralai/Mistral-7B-Instruct-v0.3`."))
fact("PagedAttention stores the key-value cache in fixed-size blocks, like pages of virtual memory, instead of one "
     "contiguous buffer per request sized for the longest answer. Almost no memory is wasted, so many more requests "
     "fit on the GPU.",
     "What is PagedAttention?",
     "Explain how vLLM saves KV-cache memory.",
     "pagedattention?")
fact("Continuous batching adds new requests to the running batch as soon as others finish, instead of waiting for "
     "the whole batch to end.",
     "What is continuous batching?",
     "Explain continuous batching in vLLM.",
     ("Why is vLLM faster than a naive server?",
      "PagedAttention wastes almost no KV-cache memory, and continuous batching adds requests as others finish. "
      "Together they give several times the throughput when many users send requests at once."))
fact("`--gpu-memory-utilization` sets the share of GPU memory vLLM may take; the default is 0.9.",
     "What does --gpu-memory-utilization do in vLLM?",
     ("What is --max-model-len for?", "It caps the context length so the key-value cache fits in memory."),
     ("How do I serve a model too large for one GPU with vLLM?",
      "Use `--tensor-parallel-size` to split it across several GPUs."))
fact("A CPU build of vLLM exists for testing, but production serving of 7B and larger models means a GPU.",
     "Can vLLM run on a CPU?")

# =============================================================================================
# fact: quantization and memory
# =============================================================================================
fact("Quantization stores a model's weights with fewer bits than the 16 of the original, for example 8 or 4, to cut "
     "memory at some cost in quality.",
     "What is quantization?",
     "Explain model quantization in one sentence.")
fact("GGUF is the single-file model format of llama.cpp and tools built on it, such as Ollama and LM Studio. One "
     "file holds the weights, usually quantized, plus the tokenizer and the metadata needed to run the model.",
     "What is GGUF?",
     "What's inside a GGUF file?",
     ("Which tools use GGUF?", "llama.cpp and the tools built on it, such as Ollama and LM Studio."))
fact("Q8_0 stores blocks of 32 weights as 8-bit integers with one 16-bit scale, about 8.5 bits per weight. It is "
     "practically lossless.",
     "What is Q8_0?",
     "Is Q8_0 lossy?")
fact("Q4_K_M is the usual default GGUF quantization: about 4.8 bits per weight on average, roughly a third of the "
     "16-bit size, with little quality loss.",
     "What is Q4_K_M?",
     "Which GGUF quantization should I start with?",
     ("why is q4_k_m more than 4 bits?",
      "It is a mix: most tensors are Q4_K (4.5 bits with scales), and sensitive ones such as the output head are "
      "promoted to Q6_K. Files average about 4.84 to 4.89 bits per weight."))
fact("Q2_K squeezes most weights to 2 or 3 bits and loses noticeably. On the workbook's small model, perplexity rose "
     "from 10.67 at Q4_K_M to 19.6 at Q2_K.",
     "Is Q2_K a good idea?",
     "How much quality does Q2_K lose?",
     ("What perplexities did the workbook measure per quantization level?",
      "On a licence text: 10.65 in 16-bit, 10.67 for both Q8_0 and Q4_K_M, and 19.6 for Q2_K."))
fact("K-quants group weights into blocks with their own scales. Q4_K, for instance, uses super-blocks of 256 weights "
     "at 4.5 bits each, scales included.",
     "What are k-quants?")
fact("Parameters times bits per weight divided by eight gives the weights' size in bytes; then add the key-value "
     "cache, which grows with the context length.",
     "How do I estimate a quantized model's memory?",
     ("How big is Mistral 7B at Q4_K_M?", "About 4.4 GB of weights."))
fact("Convert a Hugging Face checkpoint with llama.cpp's `convert_hf_to_gguf.py`, then quantize it: "
     "`llama-quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M`.",
     "How do I make my own GGUF file?",
     ("My guide says to run convert.py and quantize, but they're missing.",
      "They were renamed: the converter is now `convert_hf_to_gguf.py` and the quantizer `llama-quantize`."))
fact("Perplexity measures how surprised a model is by a text; lower is better. The workbook compares quantization "
     "levels of the same model on the same tokens with it.",
     "What is perplexity?")
fact("GPTQ quantizes a trained model layer by layer, using a small calibration set and second-order information to "
     "choose rounded weights that keep each layer's outputs close to the original.",
     "How does GPTQ work?",
     "Explain GPTQ.")
fact("AWQ, activation-aware weight quantization, uses activations on calibration data to find the small share of "
     "weight channels that matter most, and protects them by scaling before rounding.",
     "What is AWQ?",
     "What does activation-aware mean in AWQ?")
fact("Both quantize once with calibration data, are loaded many times, and run fast with dedicated GPU kernels.",
     "What do GPTQ and AWQ have in common?",
     ("Why is 4-bit GPTQ about 4.16 bits per weight?",
      "Each group of 128 weights adds one FP16 scale and one 4-bit zero point: 4 + (16 + 4) / 128 = 4.156 bits."))
fact("bitsandbytes quantizes while the model loads, with no calibration data. `load_in_8bit` uses int8 with outlier "
     "handling; `load_in_4bit` uses the NF4 data type, optionally with double quantization of the scales.",
     "How is bitsandbytes different from GPTQ?",
     "What does load_in_8bit do?",
     ("What is NF4?",
      "The 4-bit data type bitsandbytes uses with `load_in_4bit`; QLoRA loads the frozen base model in it."),
     ("What is double quantization?",
      "In bitsandbytes 4-bit loading, it also quantizes the scales, saving a little more memory."))
fact("AutoGPTQ is archived and no longer supported by current transformers and peft releases. Use GPTQModel or the "
     "`GPTQConfig` integration in transformers instead.",
     "Should I use AutoGPTQ?",
     "Is AutoGPTQ still maintained?")
fact("About 4 GB of GPU memory for the weights, against about 14.5 GB in 16-bit.",
     "How much GPU memory does a 7B model need at 4 bits?")
fact("No: GPU 4-bit and 8-bit schemes leave the token embeddings and the output head (lm_head) in 16 bits. GGUF "
     "quantizes them too.",
     "Does bitsandbytes quantize lm_head?")
fact("FP16 and BF16 take 2 bytes per weight. Every Mistral checkpoint is released in 16-bit (bfloat16).",
     "How many bytes per weight in BF16?",
     "In what precision are Mistral checkpoints released?")
fact("The key-value cache stores each processed token's attention keys and values so they are not recomputed. Its "
     "size is 2 x layers x KV heads x head dim x bytes per value x tokens x batch.",
     "What is the KV cache?",
     "How do I compute KV cache size?",
     ("Can I shrink the KV cache?",
      "Yes: it is FP16 by default, and llama.cpp and vLLM can store it in 8 bits to halve it. A shorter context "
      "also helps."))
fact("The workbook's calculator adds 0.5 GB plus 10 % of the weights and KV cache, for the runtime, activations and "
     "fragmentation. It is a planning rule of thumb, not a measurement.",
     "What overhead does the workbook's VRAM calculator assume?")

# =============================================================================================
# fact: fine-tuning
# =============================================================================================
fact("LoRA freezes the pretrained weights and learns a small low-rank update: for a weight matrix W it trains thin "
     "matrices A and B of rank r, and the layer uses W plus B times A, scaled by alpha divided by r.",
     "What is LoRA?",
     "Explain low-rank adaptation.",
     ("What does alpha do in LoRA?",
      "It scales the update: the layer uses W + (alpha / r) x B x A. The workbook's rank 16 and alpha 32 give a "
      "scale of 2."))
fact("Notebook 10 uses rank 16 and alpha 32 on the attention projections q_proj, k_proj, v_proj and o_proj.",
     "Which modules does the workbook's LoRA target?",
     "lora rank and alpha in the workbook?",
     ("What fraction of parameters does LoRA train?",
      "Only a fraction of a percent, typically between 0.1 and 1 %, with rank 16 on the attention projections."))
fact("A LoRA adapter is a file of a few megabytes to a few hundred megabytes. Keep it separate, so one base model "
     "serves several adapters, or merge it into the base weights for deployment.",
     "How big is a LoRA adapter?",
     "Should I merge a LoRA adapter into the model?")
fact("A learning rate around 2e-4 for a few epochs is a common starting point.",
     "What learning rate should I use for LoRA?")
fact("QLoRA loads the frozen base model in 4-bit NF4 with bitsandbytes, trains 16-bit LoRA adapters on top, and uses "
     "paged optimizers to survive memory spikes. It brings fine-tuning a 7B model within reach of one 24 GB GPU.",
     "What is QLoRA?",
     "How is QLoRA different from LoRA?",
     ("Can I fine-tune a 7B model on a 24 GB GPU?",
      "Yes, with QLoRA: a 4-bit NF4 base model with 16-bit LoRA adapters fits a 7B model on one 24 GB GPU."),
     ("What are paged optimizers for in QLoRA?", "They let training survive memory spikes."))
fact("Full fine-tuning updates every weight and needs memory for the weights, their gradients and the optimizer's "
     "state; for a 7B model that is far beyond one consumer GPU.",
     "Why not just do full fine-tuning?")
fact("A list of conversations, each a sequence of user and assistant messages in the model's chat format.",
     "What does training data for an instruct model look like?")
fact("Synthetic security log lines: 152 training and 40 held-out examples, each labelled with a verdict (malicious, "
     "suspicious or benign) and one of eight categories.",
     "What data does notebook 10 fine-tune on?",
     ("Which verdicts does the workbook's threat classifier use?",
      "malicious, suspicious and benign; the model answers with a verdict and a category as JSON."))

# =============================================================================================
# fact: the workbook itself
# =============================================================================================
fact("A stand-in is a small model, not a Mistral model, that the workbook serves offline so every notebook runs "
     "without network or API key. It is labelled as a stand-in wherever it answers.",
     "What is a stand-in in the workbook?",
     "Explain the workbook's stand-in models.",
     ("Are you a Mistral model?",
      "No. I am the workbook's offline stand-in: a small model, not a Mistral model, so the notebooks work without "
      "a network or an API key."))
fact("Chat: standin-smollm2-135m-workbook, SmolLM2-135M-Instruct with the workbook's own LoRA adapter, run by "
     "llama.cpp. Also standin-smollm2-135m (the same model as shipped), standin-gemma-3-270m (a base model), "
     "standin-minilm-l6-v2 (384-dim embeddings) and tiny-mistral (a random small Mistral-architecture model).",
     "Which models does the embedded default serve?",
     ("What is standin-gemma-3-270m?",
      "Gemma 3 270M, a base model that is not instruction-tuned, as GGUF Q4_K_M run by llama.cpp. The workbook "
      "quantizes and fine-tunes it in notebooks 07, 08 and 10."),
     ("Which model are you?",
      "I am standin-smollm2-135m-workbook: SmolLM2-135M-Instruct with the workbook's LoRA adapter, an offline "
      "stand-in, not a Mistral model."))
fact("tiny-mistral is a randomly initialised Mistral-architecture model (hidden size 256, 4 layers, 8 heads, 2 KV "
     "heads) with the real Mistral v3 tokenizer. It is for architecture and conversion lessons and writes no "
     "meaningful text.",
     "What is tiny-mistral?",
     ("Can tiny-mistral generate useful text?",
      "No. Its weights are random; it exists for architecture and GGUF conversion lessons."))
fact("mistral-common is Mistral's package with the real tokenizers and chat format. The workbook takes the v3 "
     "tokenizer from it and formats notebook 10's training data with it.",
     "What is mistral-common used for in the workbook?")
fact("Four: La Plateforme (when MISTRAL_API_KEY is set), Ollama (when OLLAMA_HOST answers), vLLM (when VLLM_BASE_URL "
     "is set) and the embedded default, with stand-ins, when nothing else is available.",
     "Which backends does the workbook support?",
     "How does the workbook pick a backend?",
     ("What does helpers.connect() do?",
      "It returns a ready `mistralai` client and the model names for the chosen backend, and prints one banner line "
      "naming both."))
fact("Set WORKBOOK_BACKEND (and WORKBOOK_MODEL or WORKBOOK_HARDWARE if needed). They override the choice notebook "
     "00's widgets saved in .workbook/settings.json.",
     "How do I force the workbook to use a given backend?")
fact("`make serve` runs the embedded endpoint on 127.0.0.1:8765 (PORT changes it). `make serve-ollama` runs it where "
     "Ollama clients look, on port 11435 by default.",
     "What port does make serve use?",
     "What is make serve-ollama?")
fact("`make lab` sets up .venv, prepares the embedded models and starts JupyterLab; `make test` runs the whole test "
     "suite, pytest on helpers and nbval on every notebook.",
     "How do I start the workbook?",
     "What does make test run?")
fact("Python 3.11, a C/C++ compiler and CMake. llama-cpp-python is built once from source; everything else comes "
     "pinned from PyPI.",
     "What do I need to install the workbook?")
fact("No. Every notebook runs on a 2-core laptop with no network and no API key, using stand-in models. The same "
     "cells run on real Mistral models when you have a key, Ollama or vLLM.",
     "Do I need an API key for the workbook?",
     "Can the workbook run offline?")
fact("Notebook 00, setup and hardware check: it shows your environment, lets you choose hardware, backend and model, "
     "and gets a first answer.",
     "Which notebook should I open first?")
fact("Notebook 03: tools from typed Python functions, tool_choice, parallel calls and a real SQLite threat database.",
     "Which notebook teaches function calling?")
fact("Notebook 04, embeddings and RAG: semantic search, a cited RAG pipeline over qdrant-client, and recall@k and "
     "MRR.",
     "Where does the workbook cover RAG?")
fact("Notebook 01: the family as data, parameter counts from the real configs, a VRAM calculator, a model selector "
     "and a runnable top-2 mixture-of-experts router.",
     "What does notebook 01 cover?")
fact("Notebook 02: messages, temperature, seeds, usage and cost, multi-turn, streaming, async requests, JSON mode "
     "and the common errors.",
     "Which notebook covers chat and streaming?")
fact("Notebook 05 (Ollama) and notebook 06 (vLLM).",
     "Which notebooks are about self-hosting?")
fact("Notebook 07: converting the tiny Mistral to GGUF with llama.cpp, and quantizing the Gemma stand-in from Q8_0 to "
     "Q2_K to measure size, speed and perplexity.",
     "What does notebook 07 cover?")
fact("Notebook 08: GPTQ, AWQ and bitsandbytes (int8, NF4, FP4, double quantization), per-layer error and a decision "
     "table per hardware.",
     "Which notebook covers GPU quantization?")
fact("Notebook 09: published MMLU, HumanEval and GSM8K scores with sources, an offline harness, and time to first "
     "token and tokens/s measurements.",
     "What is in the benchmarks notebook?")
fact("Notebook 10: LoRA and QLoRA on threat-classification data, then the merged model converted to GGUF, quantized "
     "and served.",
     "Which notebook fine-tunes a model?")

# --- the fictional Larkspur SOC runbooks --------------------------------------------------------
fact("In the workbook's fictional Larkspur runbook, P1 is an active compromise or data breach, P2 a confirmed threat "
     "that is contained or not yet active, P3 suspicious activity to investigate within one working day, and P4 "
     "informational findings reviewed weekly.",
     "What are the Larkspur severity levels?")
fact("Within 5 minutes, by the on-call incident commander; the head of security is informed within 30 minutes.",
     "How fast must a P1 page be acknowledged at Larkspur?")
fact("90 days after the incident closes, or one year for P1 incidents.",
     "How long does Larkspur keep incident evidence?")
fact("No. Addresses in 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 are internal and never blocked; the analyst looks "
     "up the host's owner in the asset inventory instead.",
     "Does the Larkspur runbook block private IP addresses?")
fact("Customer data and raw logs must never go to an external API, so the team runs a self-hosted, 4-bit quantized "
     "Mistral 7B, and an analyst checks every summary.",
     "Why does the Larkspur team run its own Mistral 7B?")

# --- general AI/computing concepts ----------------------------------------------------------------
fact("RAG, retrieval-augmented generation, retrieves the passages most relevant to a question, for example with "
     "embeddings and a vector database, and gives them to the model so it answers from them and cites them.",
     "What is RAG?",
     "explain retrieval augmented generation")
fact("The context window is the most tokens a model can read in one request, prompt and conversation included. "
     "Mistral 7B has 32K, Mistral NeMo 128K.",
     "What is a context window?")
fact("A token is a piece of text, a word, part of a word or a symbol, that the model reads and writes as one unit. "
     "Context lengths and prices are counted in tokens.",
     "What is a token in a language model?",
     "tokens vs words?")
fact("A large language model is a neural network trained on large amounts of text to predict the next token, which "
     "lets it answer questions, write and summarise.",
     "What is a large language model?")
fact("10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16.",
     "What are the private IPv4 address ranges?")

# =============================================================================================
# fact: common general knowledge (none of it from data/benchmarks/ or the held-out set)
# =============================================================================================
GENERAL = [
    ("What is the capital of Portugal?", "Lisbon."),
    ("capital of spain?", "Madrid."),
    ("What's the capital city of Australia?", "Canberra, not Sydney."),
    ("Which city is the capital of the United Kingdom?", "London."),
    ("Name the capital of Egypt.", "Cairo."),
    ("What is the capital of Brazil?", "Brasília."),
    ("At what temperature does water freeze?", "0 °C (32 °F) at normal atmospheric pressure."),
    ("What is the chemical formula of water?", "H2O: two hydrogen atoms and one oxygen atom."),
    ("Which is the largest ocean on Earth?", "The Pacific Ocean."),
    ("What is the highest mountain in the world?", "Mount Everest, about 8,849 metres above sea level."),
    ("How long does the Earth take to orbit the Sun?", "About 365.25 days: one year."),
    ("How many continents are there?",
     "Seven, by the usual count: Africa, Antarctica, Asia, Australia (Oceania), Europe, North America and South America."),
    ("How fast does light travel?", "About 300,000 kilometres per second in a vacuum (299,792 km/s)."),
    ("What is a CPU?",
     "The central processing unit: the general-purpose chip that executes a computer's program instructions."),
    ("Explain what a GPU is.",
     "A graphics processing unit: a chip with thousands of small cores that run many calculations in parallel, which "
     "is why it speeds up neural networks."),
    ("What is a hard drive or SSD for?",
     "Long-term storage: it keeps files and programs when the power is off, unlike the computer's working memory."),
    ("What is an API key?",
     "A secret credential a service issues to you. Your program sends it with each request so the service knows who "
     "is calling and can allow and bill the call. Keep it out of code and notebooks."),
    ("What is an API?",
     "An application programming interface: a defined way for programs to request services or data from other "
     "software."),
    ("What is JSON?",
     "JavaScript Object Notation: a text format for structured data, built from objects (key-value pairs in braces), "
     "arrays, strings, numbers, booleans and null."),
    ("What does HTTP 404 mean?", "Not Found: the server has nothing at the requested URL."),
    ("What is an IP address?",
     "A numeric address that identifies a device on a network, such as 192.168.1.10 in IPv4."),
    ("What is Python?",
     "A popular general-purpose programming language known for readable code; it is the main language of machine "
     "learning."),
    ("What is machine learning?",
     "A field of computing in which programs learn patterns from data instead of following hand-written rules."),
    ("What is open-source software?",
     "Software whose source code is published under a licence that lets anyone use, study, change and share it."),
    ("What is Linux?",
     "A free, open-source operating system kernel, used by distributions such as Debian and Ubuntu and on most "
     "servers."),
    ("What does CSV stand for?", "Comma-separated values: a plain-text table format with one record per line."),
    ("How many hours are in a day?", "24."),
    ("How many sides does a hexagon have?", "Six."),
]
for i, (q, ans) in enumerate(GENERAL):
    system = [None, None, "You are a helpful assistant.", None, "You are a concise assistant."][i % 5]
    add("fact", ([sys_(system)] if system else []) + [u(q), a(ans)])

# =============================================================================================
# fact: requests in the style of the notebooks (00, 02, 05, 06)
# =============================================================================================
NOTEBOOK_STYLE = [
    ("You are a concise assistant.", "In one sentence, what is a mixture-of-experts model?",
     "A mixture-of-experts model has several expert sub-networks per layer and a router that sends each token to only "
     "a few of them, so it holds many parameters but uses few per token."),
    ("You are a helpful assistant.", "Explain what Mixture of Experts means in AI.",
     "Mixture of Experts splits part of a neural network into several experts and adds a router that picks a few "
     "for each token. Mixtral 8x7B, for example, uses 2 of 8 experts per token: 12.9B of its 46.7B parameters."),
    ("You are a concise assistant.", "In one sentence, what is the difference between a model and a theory?",
     "A theory is a broad, well-tested explanation of why something happens, while a model is a simplified "
     "representation used to describe or predict a particular system."),
    (None, "What is the best French cheese?",
     "It depends on taste: Comté, Roquefort, Camembert and Brie de Meaux are among the most celebrated."),
    (None, "Give one fact about Codestral.",
     "Codestral supports fill-in-the-middle, so editors can use it for inline code completion."),
    (None, "Give one fact about Mistral 7B.",
     "Mistral 7B uses grouped-query attention: 8 key-value heads shared by 32 query heads."),
    (None, "Q: What does `ollama pull mistral` do?\nA:",
     "It downloads the Mistral 7B Instruct model to your machine so Ollama can run it."),
    (None, "Hello from local Mistral!", "Hello! How can I help you today?"),
    (None, "Self-hosting a model means", "running it on your own hardware, so prompts and data stay on your machine."),
    (None, "A GGUF file contains", "a model's weights, usually quantized, plus its tokenizer and the metadata needed "
                                   "to run it."),
    (None, "Ollama listens on port", "11434."),
    ("You are a terse security analyst. Answer in one line, starting with a verdict.",
     "Is a login from 185.220.101.1 at 3 a.m. a problem?",
     "Suspicious: an external address at 3 a.m. is unusual; check the user's normal pattern and confirm with them."),
    ("You are a concise assistant for a model-serving team.", "Which Mistral model would you run on a laptop?",
     "Mistral 7B, quantized to 4 bits."),
]
for system, q, ans in NOTEBOOK_STYLE:
    add("fact", ([sys_(system)] if system else []) + [u(q), a(ans)])


# =============================================================================================
# classify
# =============================================================================================
CLASSIFY: list[tuple[str | None, str, str]] = [
    # sentiment
    (None, "Classify the sentiment of this review as positive, negative or neutral.\n\nReview: The charger stopped "
           "working within a week and nobody answered my emails.", "negative"),
    (None, "Sentiment (positive/negative/neutral)? \"Shipping was fast and the headphones sound amazing.\"", "positive"),
    (None, "Is the following tweet positive, negative or neutral? Answer with the label only.\n\"The train to Ghent "
           "leaves at 8:15 from platform 3.\"", "neutral"),
    (None, "Label the customer's mood: positive, negative or neutral.\nCustomer: I've been waiting three weeks for a "
           "refund. This is ridiculous.", "negative"),
    (None, "Read the comment and answer with one of: positive, negative, neutral.\nComment: Honestly the best pizza "
           "I've had in Naples.", "positive"),
    (None, "Classify the sentiment (positive, negative, neutral): « Le film était long mais magnifique. »", "positive"),
    (None, "Give the sentiment as 'Label: <positive|negative|neutral>'.\nText: The update moved the settings button "
           "to the left menu.", "Label: neutral"),
    (None, "Sentiment of this app review? Options: positive, negative, neutral.\n\"Crashes every time I open the "
           "camera. Uninstalling.\"", "negative"),
    ("You label text sentiment. Reply with positive, negative or neutral only.",
     "The room was fine. Nothing special, nothing wrong.", "neutral"),
    (None, "What is the sentiment of 'Mistral 7B runs great on my old laptop'? (positive/negative/neutral)",
     "positive"),
    (None, "Product feedback: 'Arrived broken, and the replacement was broken too.' Sentiment? Use positive, negative "
           "or neutral.", "negative"),
    (None, "Respond with Label: followed by positive, negative or neutral.\n'I love how quiet this fan is at night.'",
     "Label: positive"),
    (None, "Sentiment (positive/negative/neutral): 'Der Kaffee war kalt und viel zu teuer.'", "negative"),
    ("Classify each message's sentiment: positive, negative or neutral. Output the label only.",
     "Thanks a lot, the new dashboard saves me an hour a day!", "positive"),
    # spam
    (None, "Is this message spam or not spam?\n\"Congratulations! You won a $1,000 gift card. Click here within 24 "
           "hours to claim it.\"", "spam"),
    (None, "Spam or not spam: \"Hi Sam, can we move our call to 3 pm tomorrow?\"", "not spam"),
    (None, "Classify the email as spam or not spam. Answer with the label only.\nSubject: Invoice #4821 for October\n"
           "Body: Attached is the invoice for last month's consulting work.", "not spam"),
    (None, "spam / not spam?\n\"URGENT: your account is suspended, verify your password at secure-login.example "
           "now\"", "spam"),
    (None, "Label this SMS (spam, not spam): \"Your parcel is on hold. Pay a 1.99 fee to release it: "
           "pkg-fee.test\"", "spam"),
    (None, "Decide: spam or not spam.\n\"Reminder: the team lunch is on Friday at noon in the cafeteria.\"",
     "not spam"),
    (None, "Is the following spam? Reply 'Label: spam' or 'Label: not spam'.\n\"Lose 10 kg in 5 days with this one "
           "weird pill!!!\"", "Label: spam"),
    ("You are a spam filter. Answer spam or not spam.", "Your pull request #112 was merged into main.", "not spam"),
    (None, "spam or not spam: \"Dear friend, I am a prince and need your help moving 5 million dollars.\"", "spam"),
    (None, "Classify as spam or not spam: \"Hi! The library book you reserved is ready for pickup.\"", "not spam"),
    # language
    (None, "Which language is this? Answer with the language name only.\n\"Pouvez-vous m'aider avec mon ordinateur ?\"",
     "French"),
    (None, "Detect the language: \"¿Dónde está la biblioteca?\"", "Spanish"),
    (None, "Language of this sentence (one word): \"Ich habe heute keine Zeit.\"", "German"),
    (None, "What language is \"Grazie mille per l'aiuto\"? Reply with the language only.", "Italian"),
    (None, "Identify the language: \"Obrigado pela ajuda, até amanhã!\"", "Portuguese"),
    (None, "Language? \"Dank je wel voor het wachten.\"", "Dutch"),
    (None, "Detect the language of the text and answer with its ISO 639-1 code.\nText: \"The meeting starts at "
           "nine.\"", "en"),
    (None, "Classify the language (English, French, Spanish, German): \"Le modèle tourne sur mon ordinateur "
           "portable.\"", "French"),
    (None, "Which language: \"Jag älskar kaffe.\"", "Swedish"),
    (None, "Language code (ISO 639-1) of: \"Buenos días a todos\"", "es"),
    (None, "What language is this written in? \"Dziękuję bardzo\"", "Polish"),
    (None, "Detect the language. Answer 'Label: <language>'.\n\"Vielen Dank für Ihre Geduld.\"", "Label: German"),
    # topic
    (None, "Assign one topic: sports, politics, technology, health, finance.\n\"The central bank raised interest "
           "rates by a quarter point.\"", "finance"),
    (None, "Topic (sports / technology / health / politics): \"The striker scored twice in the second half.\"",
     "sports"),
    (None, "Classify the headline into technology, health, sports or entertainment: \"New GPU doubles inference "
           "speed for large language models\"", "technology"),
    (None, "Which category fits best: health, finance, travel, food? \"Doctors recommend at least 150 minutes of "
           "exercise a week.\"", "health"),
    (None, "Categorise this course-forum question: setup, quantization, fine-tuning, rag.\n\"Why is my Q2_K file so "
           "much worse than Q4_K_M?\"", "quantization"),
    (None, "Forum category (setup, quantization, fine-tuning, rag): \"What LoRA rank should I use for a 7B model?\"",
     "fine-tuning"),
    (None, "Forum category (setup, quantization, fine-tuning, rag): \"make lab fails because CMake is missing\"",
     "setup"),
    (None, "Forum category (setup, quantization, fine-tuning, rag): \"My retriever returns the wrong chunks for "
           "cited answers.\"", "rag"),
    (None, "Topic label (science, arts, business, sport): \"The orchestra premiered a new symphony last night.\"",
     "arts"),
    (None, "Pick the topic from: cooking, travel, programming, gardening.\n\"How do I reverse a list in Python?\"",
     "programming"),
    (None, "Classify this news line as politics, business, science or sports: \"Parliament passed the budget after a "
           "long debate.\"", "politics"),
    (None, "Topic (food, travel, tech): \"Our flight to Lisbon was delayed by two hours.\"", "travel"),
    # urgency
    (None, "Rate the urgency of this message: low, medium or high.\n\"The production database is down and customers "
           "can't log in.\"", "high"),
    (None, "Urgency (low/medium/high): \"Could someone update the team wiki page when you have time?\"", "low"),
    (None, "Classify urgency as low, medium or high: \"The staging server's disk is 85% full; it will fill up in a "
           "few days.\"", "medium"),
    (None, "How urgent is this? Answer low, medium or high.\n\"Fire alarm going off on the 3rd floor, everyone is "
           "evacuating.\"", "high"),
    (None, "Urgency label (low, medium, high): \"Please review my slides before next week's workshop.\"", "low"),
    (None, "Label: low, medium or high urgency.\n\"Two users report that exported PDFs show the wrong date format.\"",
     "medium"),
    ("You triage messages by urgency: low, medium or high. Reply with the label.",
     "The payment page has returned errors for every customer since 9:00.", "high"),
    # routing
    (None, "Route this support ticket to one team: billing, technical, account, sales.\n\"My card shows two payments "
           "for the same invoice.\"", "billing"),
    (None, "Route to billing, technical, account or sales: \"I forgot my password and the reset email never "
           "arrives.\"", "account"),
    (None, "Which team should handle this? Options: billing, technical, account, sales.\n\"The API returns HTTP 500 "
           "on every embeddings request since this morning.\"", "technical"),
    (None, "Route: billing / technical / account / sales. \"We'd like a quote for 200 seats for our university.\"",
     "sales"),
    (None, "Ticket routing (billing, technical, account, sales). Answer 'Label: <team>'.\n\"How do I change the email "
           "address on my profile?\"", "Label: account"),
    (None, "Send this ticket to: billing, technical, account or sales.\n\"My invoice shows the wrong VAT number.\"",
     "billing"),
    (None, "Route to the right IT queue (hardware, software, network, access): \"The Wi-Fi on floor 2 keeps "
           "dropping.\"", "network"),
    (None, "IT queue (hardware, software, network, access): \"I need permission to open the finance shared drive.\"",
     "access"),
    (None, "IT queue (hardware, software, network, access): \"My laptop screen flickers and then goes black.\"",
     "hardware"),
    (None, "IT queue (hardware, software, network, access): \"Outlook stopped syncing my calendar after the "
           "update.\"", "software"),
    # security
    (None, "Classify this log line as benign, suspicious or malicious.\ncron[2231]: (root) CMD "
           "(/usr/local/bin/backup.sh) finished with status 0", "benign"),
    (None, "benign, suspicious or malicious? 'sshd: Failed password for root from 203.0.113.45 (attempt 57 in 60 s)'",
     "suspicious"),
    (None, "Verdict (benign/suspicious/malicious): 198.51.100.23 \"GET /products?id=1' OR '1'='1\" 200",
     "malicious"),
    (None, "Severity of this event: low, medium, high or critical.\n\"Ransom note found on file server FS-02; 4,000 "
           "files encrypted\"", "critical"),
    (None, "Severity (low, medium, high, critical): \"Scheduled antivirus scan completed: 0 threats found on "
           "WS-114\"", "low"),
    (None, "Severity (low, medium, high, critical): \"Firewall: 1,200 connection attempts to ports 1-1024 from "
           "192.0.2.77 within 30 s\"", "medium"),
    (None, "Classify the event as benign, suspicious or malicious: \"Host WS-23 contacted "
           "beacon.c2-update.invalid every 60 seconds for 6 hours\"", "malicious"),
    (None, "Severity (low/medium/high/critical): \"Admin login from a new country, followed by MFA being disabled\"",
     "high"),
    ("Use the Larkspur severities P1, P2, P3 or P4. Reply with the severity only.",
     "An attacker has an active shell on the payroll server and is copying data out.", "P1"),
    (None, "Label P1, P2, P3 or P4 (Larkspur runbook): \"The firewall blocked a connection to a known-bad address; "
           "no other activity.\"", "P2"),
    (None, "Larkspur severity, P1 to P4? \"Weekly report: a TLS certificate on an internal test site expires in 60 "
           "days.\"", "P4"),
    # misc categories
    (None, "Is this sentence a question, a statement or a command? \"Restart the server after lunch.\"", "command"),
    (None, "Emotion (joy, anger, sadness, fear): \"I finally passed my driving test!\"", "joy"),
    (None, "Animal class (mammal, bird, fish, reptile): penguin. Label only.", "bird"),
]
for system, q, label in CLASSIFY:
    add("classify", ([sys_(system)] if system else []) + [u(q), a(label)])


# =============================================================================================
# constraint
# =============================================================================================
CONSTRAINT: list[tuple[str | None, str, str]] = [
    (None, "Answer with one word: which tool serves models on localhost port 11434?", "Ollama"),
    (None, "Answer yes or no: is Mixtral 8x7B a mixture-of-experts model?", "Yes"),
    (None, "Yes or no: are Codestral's weights licensed under Apache 2.0?", "No"),
    (None, "Reply with only the number: how many experts does Mixtral 8x7B have per layer?", "8"),
    (None, "Only the number, please: the embedding dimension of mistral-embed.", "1024"),
    (None, "Just the number: Ollama's default port.", "11434"),
    (None, "List three Ollama tags for Mistral models, as '- item' lines.", "- mistral\n- mixtral\n- codestral"),
    (None, "Name three colours.", "Red, green and blue."),
    (None, "List three GGUF quantization types as a numbered list.", "1. Q8_0\n2. Q4_K_M\n3. Q2_K"),
    (None, "In under 15 words, what is PagedAttention?",
     "It stores the KV cache in fixed-size blocks, like virtual-memory pages."),
    (None, "Explain LoRA in exactly two sentences.",
     "LoRA freezes a model's pretrained weights and trains two small low-rank matrices for chosen layers. Their "
     "product, scaled by alpha over r, is added to the frozen weights."),
    (None, "Answer in uppercase only: what does API stand for?", "APPLICATION PROGRAMMING INTERFACE"),
    (None, "Answer in lowercase only: the Ollama tag for Mistral NeMo.", "mistral-nemo"),
    (None, "True or false: mistral-embed vectors have 384 dimensions.", "False"),
    (None, "Which company built Mistral NeMo together with Mistral AI? One word.", "NVIDIA"),
    (None, "Yes or no: does QLoRA load the base model in 4 bits?", "Yes"),
    (None, "Reply with a single number: how many layers does Mistral 7B have?", "32"),
    (None, "List the four LoRA target modules used in notebook 10, comma-separated, nothing else.",
     "q_proj, k_proj, v_proj, o_proj"),
    (None, "In at most 10 words: why quantize a model?", "To cut memory use with little loss in quality."),
    (None, "Name two vLLM features, one per line, no extra text.", "PagedAttention\nContinuous batching"),
    (None, "Answer with only the Ollama command that downloads Mistral 7B.", "ollama pull mistral"),
    (None, "Reply with just the environment variable that holds the Mistral API key.", "MISTRAL_API_KEY"),
    (None, "Complete with one word: The capital of Greece is", "Athens"),
    (None, "Yes or no: can a 4-bit Mistral 7B run on a laptop CPU?", "Yes"),
    (None, "Answer A, B or C. Which model has 141B parameters?\nA) Mixtral 8x7B\nB) Mixtral 8x22B\nC) Mistral NeMo",
     "B"),
    (None, "Pick one letter. Which GGUF type is practically lossless? A) Q2_K B) Q4_K_M C) Q8_0", "C"),
    (None, "Give exactly three bullet points ('- ') on why teams self-host models.",
     "- Prompts never leave their machines\n- No API key or network needed\n- Full control of the model and settings"),
    (None, "In one sentence, what is Codestral?",
     "Codestral is Mistral AI's 22B code model, with fill-in-the-middle completion."),
    (None, "Write exactly two sentences about Mixtral 8x7B.",
     "Mixtral 8x7B is a sparse mixture-of-experts model with eight experts per layer, two of them active per token. "
     "It has 46.7 billion parameters in total but uses only about 12.9 billion for each token."),
    (None, "Answer with one word: which tokenizer did Mistral NeMo introduce?", "Tekken"),
    (None, "Answer only 'dense' or 'moe': Mistral Large 2", "dense"),
    (None, "dense or moe? Mixtral 8x22B. One word.", "moe"),
    (None, "Only the number: Mixtral 8x22B's context length in tokens.", "65536"),
    (None, "Only the number: how many billion parameters does Mistral Small 3 have?", "24"),
    (None, "Reply with the year only: when was Mixtral 8x7B released?", "2023"),
    (None, "Year only: Mistral Small 3's release.", "2025"),
    (None, "Month and year only: first release of Codestral.", "May 2024"),
    (None, "Number the three GGUF tools the workbook names: llama.cpp and the two built on it.",
     "1. llama.cpp\n2. Ollama\n3. LM Studio"),
    (None, "Write a haiku about quantization.", "Sixteen bits grow thin\nfour remain to hold the thought\nthe laptop "
                                                "wakes up"),
    (None, "Describe Ollama in exactly four words.", "Local models, one command."),
    (None, "Respond with 'yes' or 'no' only: does vLLM listen on port 11434 by default?", "no"),
    (None, "Uppercase only: the usual default GGUF quantization.", "Q4_K_M"),
    (None, "Name three planets, comma-separated.", "Mars, Venus, Saturn"),
    (None, "Give two reasons to pin a dated model name, as 1. and 2.",
     "1. -latest aliases move to new models.\n2. Evaluations stay reproducible."),
    (None, "In 20 words or fewer, what does vLLM's continuous batching do?",
     "It adds new requests to the running batch as soon as others finish, instead of waiting."),
    (None, "Answer with a number only: roughly how many bits per weight does Q8_0 use?", "8.5"),
    (None, "Yes or no: may I self-host Mistral Large 2 commercially without a licence?", "No"),
    (None, "Yes/no: does bitsandbytes need calibration data?", "No"),
    (None, "Yes or no: does GPTQ use a calibration set?", "Yes"),
    (None, "Reply with only the status code for too many requests.", "429"),
    (None, "Only the status code: missing or revoked API key.", "401"),
    (None, "Reply in French, one sentence: what is Ollama?",
     "Ollama est un outil qui exécute des modèles ouverts sur votre propre machine."),
    (None, "Answer in Spanish, briefly: what is the capital of Peru?", "Lima."),
    (None, "Start your answer with 'Verdict:' and use one word: is a login from 10.0.0.5 during office hours benign, "
           "suspicious or malicious?", "Verdict: benign"),
    (None, "Give a title of at most five words for a notebook about GGUF quantization.",
     "Shrinking Models with GGUF"),
    (None, "Summarise in one sentence: 'Each Mixtral layer has eight experts; a router sends every token to two of "
           "them and blends the results.'", "Mixtral routes each token to two of eight experts per layer."),
    (None, "Rewrite in under 12 words: 'Clients reach the Ollama daemon over HTTP at localhost, port 11434.'",
     "Ollama's daemon serves HTTP on localhost:11434."),
    (None, "One word: which data type does QLoRA use for the frozen base model?", "NF4"),
    (None, "Answer with only the file name of llama.cpp's Hugging Face converter script.", "convert_hf_to_gguf.py"),
    (None, "Number only: the most tokens one mistral-embed input may hold.", "8192"),
    (None, "Reply 'A' or 'B'. Which is bigger? A) Mistral NeMo B) Mistral Small 3", "B"),
    (None, "Rank by total parameters, largest first, comma-separated: Mistral 7B, Mixtral 8x22B, Codestral.",
     "Mixtral 8x22B, Codestral, Mistral 7B"),
    (None, "Sort by context length, shortest first, one per line: Mistral NeMo, Mistral 7B, Mixtral 8x22B",
     "Mistral 7B\nMixtral 8x22B\nMistral NeMo"),
    (None, "List the four message roles of the Mistral API, comma-separated.", "system, user, assistant, tool"),
    (None, "Give three fruits as a numbered list.", "1. Apple\n2. Banana\n3. Orange"),
    (None, "Say hello in exactly three words.", "Hello there, friend!"),
    (None, "Answer yes or no: is Canberra the capital of Australia?", "Yes"),
    (None, "Answer yes or no: is Sydney the capital of Australia?", "No"),
    (None, "Reply with one word: the opposite of 'cold'.", "Hot"),
    (None, "Exactly two sentences: what is RAG?",
     "RAG retrieves the passages most relevant to a question from your documents. The model then answers from those "
     "passages and cites them."),
    (None, "Reply with the number only: vLLM's default --gpu-memory-utilization.", "0.9"),
    (None, "List two strengths of Mixtral and one drawback, as '- ' lines.",
     "- Each token costs about as much as a 13B model\n- Strong quality for its compute\n- Drawback: all 46.7B "
     "parameters must fit in memory"),
    (None, "Reply with only 'dense' or 'mixture of experts': Mistral Large 3.", "mixture of experts"),
    (None, "A single word, no punctuation: the pip package for Mistral's SDK.", "mistralai"),
    (None, "Complete in at most 8 words: Quantization reduces", "the number of bits stored per weight."),
    (None, "Answer in one word: is GGUF a file format or a server?", "Format"),
    (None, "Two words maximum: what does FIM stand for in Codestral?", "Fill-in-the-middle"),
    ("Always answer in exactly one sentence.", "What is vLLM?",
     "vLLM is a high-throughput GPU inference server with an OpenAI-compatible API."),
    ("Reply with yes or no only.", "Does Mistral NeMo have a 128K context window?", "yes"),
    ("Answer with a single number and nothing else.", "How many KV heads does Mistral 7B have?", "8"),
    ("Answer in lowercase.", "Which Ollama tag is Mixtral 8x22B?", "mixtral:8x22b"),
    (None, "Give the three parts of the memory estimate for serving a model, as '- ' lines, no explanations.",
     "- Weights\n- KV cache\n- Overhead"),
    (None, "In exactly three words: where does Ollama run models?", "On your machine."),
    (None, "Without explanation, give the import line for the Mistral client in SDK version 3.",
     "from mistralai.client import Mistral"),
    (None, "Reply with only the answer: 15 + 27 =", "42"),
    (None, "List the four Larkspur severities in order, comma-separated.", "P1, P2, P3, P4"),
]
for system, q, ans in CONSTRAINT:
    add("constraint", ([sys_(system)] if system else []) + [u(q), a(ans)])

# "One per line" lists: the count asked for, one item a line, nothing before or after. Topics and phrasings
# vary; the items are true members of their topic.
LINE_TOPICS: list[tuple[str, list[str]]] = [
    ("days of the week", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
    ("months of the year", ["January", "March", "May", "July", "September", "November", "April"]),
    ("oceans", ["Pacific", "Atlantic", "Indian", "Arctic", "Southern"]),
    ("continents", ["Africa", "Asia", "Europe", "South America", "Oceania", "Antarctica"]),
    ("planets of the solar system", ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn"]),
    ("prime numbers", ["2", "3", "5", "7", "11", "13"]),
    ("string instruments", ["Violin", "Cello", "Guitar", "Harp", "Viola", "Double bass"]),
    ("programming languages", ["Python", "Rust", "Go", "Java", "C", "TypeScript"]),
    ("HTTP methods", ["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ("Mistral models", ["Mistral 7B", "Mixtral 8x7B", "Mixtral 8x22B", "Mistral NeMo", "Codestral", "Mistral Small 3"]),
    ("GGUF quantization types", ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K"]),
    ("farm animals", ["Cow", "Sheep", "Pig", "Goat", "Horse", "Chicken"]),
    ("kinds of tree", ["Oak", "Birch", "Maple", "Pine", "Willow", "Beech"]),
    ("vowels of the English alphabet", ["A", "E", "I", "O", "U"]),
    ("Python built-in types", ["int", "float", "str", "list", "dict", "tuple"]),
    ("ways to serve a model locally", ["Ollama", "llama.cpp", "vLLM", "LM Studio"]),
    ("chess pieces", ["King", "Queen", "Rook", "Bishop", "Knight", "Pawn"]),
    ("even numbers below 20", ["2", "4", "6", "8", "10", "12"]),
    ("Python web frameworks", ["Django", "Flask", "FastAPI", "Pyramid"]),
    ("fruits that grow on trees", ["Apple", "Pear", "Cherry", "Plum", "Orange", "Mango"]),
    ("board games", ["Chess", "Go", "Checkers", "Backgammon", "Scrabble"]),
    ("fine-tuning hyperparameters", ["Learning rate", "LoRA rank", "LoRA alpha", "Batch size", "Epochs"]),
    ("metals", ["Iron", "Copper", "Gold", "Silver", "Zinc", "Tin"]),
    ("Greek letters", ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]),
]
LINE_ASKS = [
    "Name {n} {topic}, one per line.",
    "List {n} {topic}. Put each on its own line and write nothing else.",
    "Give me {n} {topic}: one per line, no numbering.",
    "{N} {topic}, each on a separate line, please.",
    "Write {n} {topic}, one on each line, without any introduction.",
    "I need {n} {topic}. One per line only.",
    "Which are {n} {topic}? Answer with one per line.",
    "Put {n} {topic} on {n} lines, nothing more.",
]
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
for i, (topic, items) in enumerate(LINE_TOPICS):
    for j in range(2):
        n = 2 + (i * 2 + j * 3) % min(5, len(items) - 1)
        ask = LINE_ASKS[(i * 3 + j * 5) % len(LINE_ASKS)]
        count = _WORDS[n] if (i + j) % 2 else str(n)
        q = ask.format(n=count, N=count.capitalize(), topic=topic)
        start = len(items) - n if j else 0  # the second record takes the last items
        add("constraint", [u(q), a("\n".join(items[start:start + n]))])
# Two lines, each with its own job.
TWO_LINES = [
    ("Write exactly two lines: a four-word title, then one sentence on what Ollama does.",
     "Local Models Made Easy\nOllama downloads open models and serves them on your own machine."),
    ("Two lines only. Line one: a name for a cat. Line two: why it suits a cat.",
     "Whiskers\nIt is short, soft and easy to call across a garden."),
    ("Give a headline on the first line and a one-sentence summary on the second: vLLM adds batching.",
     "vLLM Batches Requests as They Arrive\nContinuous batching lets new requests join a running batch instead of "
     "waiting for it to finish."),
    ("On two lines: first the capital of Japan, then its population in millions, roughly.", "Tokyo\nAbout 14 million"),
]
for q, ans in TWO_LINES:
    add("constraint", [u(q), a(ans)])


# =============================================================================================
# multiturn
# =============================================================================================
MULTI: list[list[dict]] = [
    [sys_("You are a concise assistant for a model-serving team."),
     u("Which Mistral model would you run on a laptop?"), a("Mistral 7B, quantized to 4 bits."),
     u("How much memory does it need?"),
     a("About 4.4 GB for a 4-bit GGUF file, plus the key-value cache, which grows with the context.")],
    [sys_("You are a concise assistant."),
     u("What is Mistral 7B?"), a("Mistral AI's first open model: a dense 7.3B-parameter transformer under Apache 2.0."),
     u("How is Mixtral different?"), a("Mixtral is a sparse mixture of experts: 8 experts per layer, 2 used per token."),
     u("Which one fits on a laptop?"),
     a("Mistral 7B: about 4.4 GB at 4 bits. Mixtral 8x7B still needs about 26 GB at 4 bits.")],
    [u("List the open Mixtral models."), a("1. Mixtral 8x7B\n2. Mixtral 8x22B"),
     u("and the second one's context length?"), a("Mixtral 8x22B reads up to 64K tokens (65,536).")],
    [u("What is Codestral?"), a("Mistral AI's 22B code model, with fill-in-the-middle completion."),
     u("what about its licence?"),
     a("Its weights are under the Mistral AI Non-Production Licence: research, testing and personal use. Commercial "
       "use goes through the API or a commercial licence.")],
    [u("Tell me about Mistral NeMo in one sentence."),
     a("Mistral NeMo is a 12B dense model with a 128K context, built with NVIDIA and released under Apache 2.0."),
     u("Translate that to French."),
     a("Mistral NeMo est un modèle dense de 12 milliards de paramètres avec un contexte de 128K tokens, construit avec "
       "NVIDIA et publié sous licence Apache 2.0.")],
    [u("Explain PagedAttention."),
     a("PagedAttention, used by vLLM, stores the key-value cache in fixed-size blocks, like pages of virtual memory, "
       "instead of one contiguous buffer per request sized for the longest answer. Almost no memory is wasted, so "
       "many more requests fit on the GPU."),
     u("Make it shorter."), a("It stores the KV cache in small fixed-size blocks, so little GPU memory is wasted.")],
    [u("What port does Ollama listen on?"), a("11434, on localhost."),
     u("And how do I reach a daemon on another machine?"),
     a("Set OLLAMA_HOST to that machine's address and port, for example 192.168.1.20:11434.")],
    [u("Which GGUF quant is the usual default?"), a("Q4_K_M, about 4.8 bits per weight."),
     u("and the near-lossless one?"), a("Q8_0: about 8.5 bits per weight and practically lossless.")],
    [u("My name is Priya and I'm learning about vLLM."), a("Nice to meet you, Priya! Ask me anything about vLLM."),
     u("What's my name, and what does --tensor-parallel-size do?"),
     a("Your name is Priya. --tensor-parallel-size splits a model that is too large for one GPU across several.")],
    [u("Size of Mixtral 8x7B?"), a("46.7 billion parameters in total, about 12.9 billion active per token."),
     u("Only the active number, please."), a("12.9 billion.")],
    [u("Name three Ollama tags."), a("- mistral\n- mixtral\n- codestral"),
     u("Which model is the first one?"), a("`mistral` is Mistral 7B Instruct.")],
    [u("Compare the context windows of Mistral 7B and Mistral NeMo."),
     a("Mistral 7B: 32K tokens. Mistral NeMo: 128K tokens."),
     u("How many times larger is NeMo's?"), a("Four times.")],
    [u("What is LoRA?"),
     a("LoRA freezes the pretrained weights and trains two small low-rank matrices per chosen layer."),
     u("And QLoRA?"),
     a("QLoRA does the same on a base model loaded in 4-bit NF4 with bitsandbytes, with 16-bit adapters and paged "
       "optimizers, so a 7B model can be fine-tuned on one 24 GB GPU.")],
    [u("Which river flows through Paris?"), a("The Seine."), u("And through London?"), a("The Thames.")],
    [u("What's the capital of Spain?"), a("Madrid."), u("Put your answer in a full French sentence."),
     a("La capitale de l'Espagne est Madrid.")],
    [u("Give me a one-line definition of GGUF."),
     a("GGUF is llama.cpp's single-file model format, holding weights, tokenizer and metadata."),
     u("Now in Spanish."),
     a("GGUF es el formato de archivo único de llama.cpp, que contiene los pesos, el tokenizador y los metadatos.")],
    [u("Which Mistral models are Apache 2.0?"),
     a("Mistral 7B, Mixtral 8x7B, Mixtral 8x22B, Mistral NeMo and Mistral Small 3."),
     u("Which of them has the longest context?"), a("Mistral NeMo, with 128K tokens.")],
    [u("What does mistral-large-latest point to?"), a("Mistral Large 3 since December 2025: it is a moving alias."),
     u("what should I use in production then?"),
     a("A dated name such as `mistral-large-2411`, and move to a new version only after testing.")],
    [u("Summarise: 'Our backup job runs nightly at 02:00. If it fails twice, the storage admin gets an email, and "
       "after a third failure the IT manager is called.'"),
     a("Backups run nightly at 02:00; two failures email the storage admin, a third calls the IT manager."),
     u("Who is contacted after the third failure?"), a("The IT manager, by phone.")],
    [u("I have a 24 GB GPU."), a("Good: that fits many models at 4 bits, such as Mistral Small 3 (24B)."),
     u("Can I fine-tune a 7B model on it?"),
     a("Yes, with QLoRA: a 4-bit NF4 base model with 16-bit LoRA adapters fits a 7B model on one 24 GB GPU.")],
    [u("How do I install the Mistral SDK?"), a("`pip install mistralai`"),
     u("and import the client?"), a("`from mistralai.client import Mistral` (version 3 moved it from the top level).")],
    [u("Classify the sentiment: 'The course was clear and fun.' (positive/negative/neutral)"), a("positive"),
     u("And this one: 'The videos kept buffering.'"), a("negative")],
    [u("Spam or not spam: 'Claim your free phone now, only 3 left!!!'"), a("spam"),
     u("'Your dentist appointment is confirmed for Tuesday.'"), a("not spam")],
    [u("Is 192.168.4.10 a private address?"), a("Yes: it is in 192.168.0.0/16."),
     u("And 203.0.113.9?"),
     a("No. It is not in a private range; 203.0.113.0/24 is a block reserved for documentation.")],
    [u("What dimension are mistral-embed vectors?"), a("1,024."),
     u("And the offline stand-in's?"), a("384: the stand-in is all-MiniLM-L6-v2.")],
    [u("Give two facts about Mixtral 8x22B."),
     a("1. It has 141B parameters, about 39B active per token.\n2. It has a 64K-token context window."),
     u("Expand the second one."),
     a("Mixtral 8x22B can read up to 65,536 tokens in one request, twice the 32K of Mixtral 8x7B.")],
    [u("Explain continuous batching."),
     a("vLLM adds new requests to the running batch as soon as others finish, instead of waiting for the whole batch "
       "to end."),
     u("Give an analogy."),
     a("It is like a bus that lets new passengers board at every stop, instead of waiting until everyone has reached "
       "the terminus.")],
    [u("What is AWQ?"),
     a("Activation-aware weight quantization: it finds the weight channels that matter most from activations and "
       "protects them by scaling before rounding."),
     u("Does it need calibration data?"),
     a("Yes, it looks at activations on calibration data. bitsandbytes is the one that needs none.")],
    [u("Name the four Larkspur severities."), a("P1, P2, P3 and P4."),
     u("What's the third?"), a("P3: suspicious activity that needs investigation within one working day.")],
    [u("What is 12 times 4?"), a("48."), u("Add 2 to that."), a("50.")],
    [u("Write a one-sentence description of Ollama."), a("Ollama runs open models on your own machine with one command."),
     u("make it uppercase"), a("OLLAMA RUNS OPEN MODELS ON YOUR OWN MACHINE WITH ONE COMMAND.")],
    [u("List three GPU quantization methods."), a("1. GPTQ\n2. AWQ\n3. bitsandbytes"),
     u("Which one needs no calibration?"), a("bitsandbytes: it quantizes while the model loads.")],
    [u("What's the Ollama tag for NeMo?"), a("`mistral-nemo`"),
     u("And its Hugging Face repo?"), a("`mistralai/Mistral-Nemo-Instruct-2407`")],
    [u("Which notebook covers vLLM?"), a("Notebook 06."),
     u("and the one after it?"), a("Notebook 07: GGUF and llama.cpp, with conversion, quantization and perplexity.")],
    [u("How much does mistral-small-latest cost?"),
     a("$0.15 per million input tokens and $0.60 per million output tokens."),
     u("And with the Batch API?"), a("Half: $0.075 per million input tokens and $0.30 per million output tokens.")],
    [sys_("You are a concise assistant."),
     u("What is Tekken?"), a("The tokenizer Mistral NeMo introduced: tiktoken-based, about 131K entries."),
     u("Why does that matter for Korean text?"),
     a("A larger vocabulary packs languages such as Korean into fewer tokens, so more text fits in the context and "
       "generation takes fewer steps.")],
    [u("Translate 'good morning' into Italian."), a("Buongiorno."), u("And into German?"), a("Guten Morgen.")],
    [u("I'm building a RAG app with mistral-embed."),
     a("Good choice: it gives 1,024-dimensional vectors and takes up to 8,192 tokens per input."),
     u("Now I want to switch to text-embedding-3-small. Can I keep my collection?"),
     a("No. text-embedding-3-small gives 1,536-dimensional vectors, so create a new collection and re-embed every "
       "document and query with it.")],
    [u("What is the Ollama command to chat with Mistral 7B?"), a("`ollama run mistral`"),
     u("and for Codestral?"), a("`ollama run codestral`")],
    [u("Remember this number: 42."), a("Got it: 42."), u("What number did I give you?"), a("42.")],
    [u("Which licence does Mistral Large 2 use?"), a("The Mistral Research Licence."),
     u("Explain that in simpler words."),
     a("You may use the weights for research and non-commercial work; to run them commercially yourself you need a "
       "licence from Mistral.")],
    [u("Suggest a name for an Ollama model that triages alerts."), a("soc-triage"),
     u("Write the command that builds it from a Modelfile."), a("`ollama create soc-triage -f Modelfile`")],
    [u("Rank Mistral 7B, Codestral and Mistral Small 3 by size."),
     a("1. Mistral Small 3 (24B)\n2. Codestral (22B)\n3. Mistral 7B (7.3B)"),
     u("Which is smallest?"), a("Mistral 7B, with about 7.3 billion parameters.")],
    [u("Explain 429 errors."), a("Too many requests in a short time: wait and retry with exponential backoff."),
     u("and 401?"), a("401 Unauthorized: the API key is missing or revoked.")],
    [u("How big is Mistral 7B in 16-bit?"), a("About 14.5 GB of weights."), u("And at Q4_K_M?"), a("About 4.4 GB.")],
    [u("What does FIM stand for?"), a("Fill-in-the-middle."),
     u("Which Mistral model supports it?"), a("Codestral.")],
    [u("Who wrote 'Pride and Prejudice'?"), a("Jane Austen."),
     u("In which century was it published?"), a("The 19th century: it came out in 1813.")],
    [u("Give me a short list of Mistral models with their sizes."),
     a("- Mistral 7B: 7.3B\n- Mistral NeMo: 12B\n- Codestral: 22B\n- Mistral Small 3: 24B"),
     u("Add Mistral Large 2."),
     a("- Mistral 7B: 7.3B\n- Mistral NeMo: 12B\n- Codestral: 22B\n- Mistral Small 3: 24B\n- Mistral Large 2: 123B")],
    [u("What is vLLM's default --gpu-memory-utilization?"), a("0.9."), u("As a percentage?"), a("90 %.")],
    [u("What's step 1 of the Larkspur indicator runbook?"),
     a("Classify the indicator: private addresses are internal and never blocked, and file hashes must be SHA-256."),
     u("And step 2?"),
     a("Look the indicator up in the threat database with the search_database tool; the assistant may propose the "
       "call, but only the analyst confirms an action.")],
    [u("How do I start a vLLM server for Mistral 7B?"),
     a("`python -m vllm.entrypoints.openai.api_server --model mistralai/Mistral-7B-Instruct-v0.3 --tokenizer-mode "
       "mistral --port 8000`"),
     u("Which URL do clients use?"), a("http://localhost:8000/v1, with the repository name as the model.")],
    [u("Short answer: what is an embedding?"), a("A vector of numbers that represents a text's meaning."),
     u("How long is one from mistral-embed?"), a("1,024 numbers.")],
    [u("Is Mistral 7B dense?"), a("Yes: every parameter takes part in every token."),
     u("And Mixtral?"), a("No. Mixtral is a sparse mixture of experts: each token uses 2 of 8 experts per layer.")],
    [u("Please answer in one word from now on."), a("Understood."),
     u("Which file format does llama.cpp use?"), a("GGUF.")],
    [u("Give the capital of Kenya."), a("Nairobi."), u("Now the capital of South Korea."), a("Seoul.")],
    [sys_("You are a concise assistant."),
     u("What is a mixture of experts?"),
     a("A model whose layers hold several experts, with a router that sends each token to only a few of them."),
     u("Give an example model."), a("Mixtral 8x7B: 8 experts per layer, 2 active per token.")],
    [u("What does `ollama list` do?"), a("It shows the models installed locally."),
     u("and `ollama pull`?"), a("It downloads a model, for example `ollama pull mistral` for Mistral 7B Instruct.")],
    [u("What is tiny-mistral?"),
     a("A randomly initialised small Mistral-architecture model with the real v3 tokenizer."),
     u("Can I chat with it?"),
     a("Not usefully: its weights are random, so it writes no meaningful text. It is for architecture and conversion "
       "lessons.")],
    [u("Write a sentence about GGUF."), a("GGUF packs a model's weights, tokenizer and metadata into one file."),
     u("now turn it into a question"), a("Does GGUF pack a model's weights, tokenizer and metadata into one file?")],
    [u("List two retrieval metrics the workbook measures."), a("1. recall@k\n2. MRR"),
     u("Which notebook measures them?"), a("Notebook 04, embeddings and RAG.")],
    [u("How many KV heads does Mistral 7B have?"), a("8, shared by its 32 query heads."),
     u("What does that save?"),
     a("The key-value cache shrinks to a quarter of what full multi-head attention would need, and generation gets "
       "faster.")],
    [u("Reply like a pirate from now on."), a("Arr, ready when ye be!"),
     u("What's Ollama's port?"), a("Arr, Ollama listens on port 11434, matey!")],
    [u("When was Mistral Small 3 released?"), a("January 2025."),
     u("How many parameters?"), a("24 billion.")],
    [u("Which Mistral model reads 64K tokens?"), a("Mixtral 8x22B."),
     u("Who can use it commercially?"), a("Anyone: Mixtral 8x22B is released under Apache 2.0.")],
]
for msgs in MULTI:
    add("multiturn", msgs)

# Everyday follow-ups, generated: the answer depends on an earlier turn (a name, an item of a list, the
# previous question's pattern, a number carried over).
_NAMES = ["Tomasz", "Aiko", "Oluwaseun", "Marta", "Priya", "Henrik", "Leila", "Diego", "Yusuf", "Chloé", "Bram",
          "Sofia"]
_INTRO = [("Hello! I'm {n}.", "Hello, {n}! What can I do for you?", "Do you remember who I am?", "You are {n}."),
          ("{n} here, nice to meet you.", "Nice to meet you too, {n}.", "Sorry, what did I say my name was?",
           "Your name is {n}."),
          ("Call me {n}, please.", "Sure, {n}.", "So what should you call me?", "{n}."),
          ("My colleagues call me {n}.", "Got it, {n}. How can I help?", "Who am I, again?", "You're {n}.")]
for i, name in enumerate(_NAMES):
    first, reply, ask, answer = _INTRO[i % len(_INTRO)]
    add("multiturn", [u(first.format(n=name)), a(reply.format(n=name)), u(ask), a(answer.format(n=name))])
_LISTS = [["salt", "pepper", "basil"], ["red", "amber", "green"], ["Lyon", "Porto", "Graz", "Turku"],
          ["hammer", "saw", "drill"], ["tea", "coffee", "cocoa", "juice"], ["bus", "tram", "ferry"],
          ["violin", "flute", "drum"], ["Q8_0", "Q4_K_M", "Q2_K"]]
_ORDINALS = ["first", "second", "third", "fourth"]
for i, items in enumerate(_LISTS):
    k = (i * 2 + 1) % len(items)
    listing = ", ".join(items)
    add("multiturn", [u(f"Keep these in mind: {listing}."), a(f"Noted: {listing}."),
                      u(f"Which one came {_ORDINALS[k]}?"), a(f"The {_ORDINALS[k]} was {items[k]}.")])
_CAPITALS = [("Italy", "Rome"), ("Spain", "Madrid"), ("Portugal", "Lisbon"), ("Poland", "Warsaw"),
             ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Egypt", "Cairo"), ("Japan", "Tokyo"),
             ("Sweden", "Stockholm"), ("Chile", "Santiago"), ("Ireland", "Dublin"), ("Austria", "Vienna")]
for i in range(0, len(_CAPITALS), 2):
    (c1, k1), (c2, k2) = _CAPITALS[i], _CAPITALS[i + 1]
    add("multiturn", [u(f"Which city is the capital of {c1}?"), a(f"{k1}."), u(f"What about {c2}?"),
                      a(f"The capital of {c2} is {k2}.")])
    add("multiturn", [u(f"{k2} is the capital of which country?"), a(f"{c2}."), u(f"And {k1}?"), a(f"{c1}.")])
_WORDS_IN = {"dog": {"French": "chien", "Spanish": "perro", "German": "Hund", "Italian": "cane"},
             "house": {"French": "maison", "Spanish": "casa", "German": "Haus", "Italian": "casa"},
             "water": {"French": "eau", "Spanish": "agua", "German": "Wasser", "Italian": "acqua"},
             "bread": {"French": "pain", "Spanish": "pan", "German": "Brot", "Italian": "pane"},
             "book": {"French": "livre", "Spanish": "libro", "German": "Buch", "Italian": "libro"}}
_LANGS = ["French", "Spanish", "German", "Italian"]
for i, (word, by_lang) in enumerate(_WORDS_IN.items()):
    l1, l2 = _LANGS[i % 4], _LANGS[(i + 1 + i // 2) % 4]
    add("multiturn", [u(f"What is '{word}' in {l1}?"), a(f"{by_lang[l1]}"), u(f"How about in {l2}?"),
                      a(f"In {l2}, '{word}' is {by_lang[l2]}.")])
_STEPS = [(9, "Triple it.", 27), (15, "Add 8 to it.", 23), (40, "Halve it.", 20), (7, "Square it.", 49),
          (30, "Take away 12.", 18), (6, "Multiply it by 5.", 30), (100, "Subtract 37.", 63), (11, "Double it, then add 1.", 23)]
for start, step, result in _STEPS:
    add("multiturn", [u(f"Start from {start}."), a(f"Okay, {start}."), u(step), a(f"That gives {result}.")])
_ANIMALS = [("a cat", "four"), ("a bird", "two"), ("a snake", "no"), ("a horse", "four"), ("an ant", "six")]
for i in range(len(_ANIMALS) - 1):
    (x, n1), (y, n2) = _ANIMALS[i], _ANIMALS[i + 1]
    add("multiturn", [u(f"How many legs has {x}?"), a(f"{n1.capitalize()}." if n1 != "no" else "None."),
                      u(f"What about {y}?"), a(f"{y.capitalize()} has {n2} legs.")])


# =============================================================================================
# write and validate
# =============================================================================================
ROLES = {"system", "user", "assistant", "tool"}


def validate(path: Path) -> Counter:
    counts: Counter = Counter()
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        rec = json.loads(line)
        assert isinstance(rec, dict) and "kind" in rec and "messages" in rec, f"line {n}: kind/messages missing"
        msgs = rec["messages"]
        assert isinstance(msgs, list) and msgs, f"line {n}: empty messages"
        for m in msgs:
            assert m.get("role") in ROLES, f"line {n}: bad role {m.get('role')!r}"
            assert isinstance(m.get("content"), str), f"line {n}: content must be a string"
        assert all(m["role"] != "system" for m in msgs[1:]), f"line {n}: system turn not first"
        last = msgs[-1]
        assert last["role"] == "assistant" and last["content"].strip(), f"line {n}: last message must be the answer"
        users = [m for m in msgs if m["role"] == "user"]
        assert users, f"line {n}: no user turn"
        if rec["kind"] == "multiturn":
            assert 2 <= len(users) <= 3, f"line {n}: multiturn needs 2-3 user turns"
        # roles alternate user/assistant after the optional system turn
        body = msgs[1:] if msgs[0]["role"] == "system" else msgs
        assert [m["role"] for m in body] == ["user", "assistant"] * (len(body) // 2), f"line {n}: roles do not alternate"
        key = json.dumps([m["content"] for m in msgs[:-1]], ensure_ascii=False).lower()
        assert key not in seen, f"line {n}: duplicate prompt {users[-1]['content']!r}"
        seen.add(key)
        counts[rec["kind"]] += 1
    return counts


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for rec in RECORDS:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    counts = validate(OUT)
    chars = [sum(len(m["content"]) for m in r["messages"]) for r in RECORDS]
    print(f"wrote {OUT.relative_to(ROOT)}: {sum(counts.values())} records")
    for kind in ("fact", "classify", "constraint", "multiturn"):
        print(f"  {kind:10s} {counts[kind]}")
    print(f"  mean characters per record: {sum(chars) / len(chars):.0f} (about {sum(chars) / len(chars) / 4:.0f} tokens)")


if __name__ == "__main__":
    main()
