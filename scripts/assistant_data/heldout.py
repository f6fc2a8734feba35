"""Write data/assistant/heldout.jsonl: the held-out instruction set of the workbook assistant.

Standard library only. Run from anywhere: ``python3 scripts/assistant_data/heldout.py``.

Every record has ``id``, ``kind``, ``messages`` (ending with a user turn or a tool result),
optional ``tools`` / ``tool_choice`` / ``response_format``, and ``expect`` (the checks defined in
data/assistant/README.md). Code records also carry ``reference`` (a correct solution; the scorer
ignores it). Before writing, the script checks every record against a reference reply of its own
(kept here, not written out, except for code) with a small implementation of the README's checks,
and checks a few deliberately wrong replies fail.

The set was written apart from the training data: the prompts, the fictional RAG sources and the
tool domains (library, restaurant, parking, trains, hotels, CVEs, WHOIS, bikes, pharmacy, music,
lights, shipping) are its own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "assistant" / "heldout.jsonl"

RECORDS: list[dict] = []
REFS: dict[str, object] = {}   # id -> reference reply (str, or {"name":..., "arguments":...} for a call)
BADS: dict[str, list] = {}      # id -> replies that must fail


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def system(text: str) -> dict:
    return {"role": "system", "content": text}


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": text}


def add(kind: str, messages: list[dict], expect: list[dict], ref, bad=None, **extra) -> None:
    rid = f"h{len(RECORDS) + 1:03d}"
    rec = {"id": rid, "kind": kind, "messages": messages}
    for key in ("tools", "tool_choice", "response_format"):
        if key in extra:
            rec[key] = extra.pop(key)
    rec["expect"] = expect
    if "reference" in extra:
        rec["reference"] = extra.pop("reference")
    assert not extra, extra
    RECORDS.append(rec)
    REFS[rid] = ref
    if bad:
        BADS[rid] = bad


# ---------------------------------------------------------------------------------------------
# fact (20): 16 grounded in the workbook's data files, 4 general knowledge
# ---------------------------------------------------------------------------------------------

FACTS = [
    ("How many parameters does Mixtral 8x7B hold in total?",
     [{"contains": ["46.7"]}, {"excludes": ["56 billion", "56B"]}],
     "Mixtral 8x7B has 46.7 billion parameters in total.", ["It has 56 billion parameters (8 x 7B)."]),
    ("When Mixtral 8x7B processes one token, roughly how many of its parameters are actually used?",
     [{"contains": ["12.9"]}],
     "About 12.9 billion parameters are used per token.", ["All 46.7 billion."]),
    ("What licence is Mistral 7B released under? Can I use it commercially?",
     [{"contains": ["Apache"]}, {"excludes": ["Non-Production", "Research Licence"]}],
     "Apache 2.0, so yes, commercial use is allowed.", ["The Mistral Research Licence."]),
    ("Which licence covers the Codestral 22B weights?",
     [{"contains_any": ["Non-Production", "Non Production", "NonProduction"]}],
     "The Mistral AI Non-Production Licence (research and testing; production needs a commercial licence).",
     ["Apache 2.0."]),
    ("How long a context window does Mistral NeMo support?",
     [{"contains_any": ["128k", "128,000", "128 000", "131072", "131,072", "128 thousand"]}],
     "Mistral NeMo supports a 128K-token context window.", ["32K tokens."]),
    ("What is the name of the tokenizer that Mistral NeMo introduced?",
     [{"contains": ["Tekken"]}],
     "Tekken, a tiktoken-based tokenizer.", ["SentencePiece."]),
    ("How many numbers are in each vector that mistral-embed returns?",
     [{"contains_any": ["1024", "1,024", "1 024"]}, {"excludes": ["1536", "1,536"]}],
     "Each mistral-embed vector has 1,024 dimensions.", ["1,536 dimensions."]),
    ("On which localhost port does the Ollama daemon listen by default?",
     [{"contains": ["11434"]}, {"excludes": ["8000"]}],
     "Port 11434.", ["Port 8000."]),
    ("What fraction of GPU memory does vLLM take by default (the --gpu-memory-utilization setting)?",
     [{"contains_any": ["0.9", "90"]}],
     "0.9, i.e. 90 % of the GPU's memory.", ["0.5"]),
    ("Give the total and the active parameter counts of Mixtral 8x22B.",
     [{"contains": ["141", "39"]}],
     "141 billion in total, about 39 billion active per token.", ["176B total, 44B active."]),
    ("How many parameters does Mistral Large 2 have?",
     [{"contains": ["123"]}],
     "Mistral Large 2 has 123 billion parameters.", ["70 billion."]),
    ("About how many bits per weight does the GGUF type Q8_0 take?",
     [{"contains": ["8.5"]}],
     "About 8.5 bits per weight (8-bit values plus one FP16 scale per block of 32).", ["Exactly 8 bits."]),
    ("Roughly how many bits per weight does a GGUF Q4_K_M file average?",
     [{"contains_any": ["4.8", "4.9"]}],
     "About 4.8 to 4.9 bits per weight on average.", ["4 bits."]),
    ("With version 3 of the mistralai Python SDK, what is the correct import line for the Mistral client class?",
     [{"contains": ["from mistralai.client import Mistral"]}],
     "`from mistralai.client import Mistral`", ["from mistralai import Mistral"]),
    ("La Plateforme answered my burst of requests with an HTTP error meaning too many requests. Which status code is that?",
     [{"contains": ["429"]}],
     "429 Too Many Requests: wait and retry with exponential backoff.", ["401"]),
    ("In the workbook's LoRA fine-tuning notebook, which rank r and which alpha are used?",
     [{"contains": ["16", "32"]}],
     "Rank 16 and alpha 32, on the q, k, v and o projections.", ["Rank 8, alpha 8."]),
    # general knowledge
    ("What is the capital city of Japan?",
     [{"contains": ["Tokyo"]}, {"excludes": ["Kyoto"]}], "Tokyo.", ["Kyoto."]),
    ("Who painted the Mona Lisa?",
     [{"contains_any": ["Leonardo", "da Vinci"]}], "Leonardo da Vinci.", ["Michelangelo."]),
    ("How many days are there in a leap year?",
     [{"contains": ["366"]}], "A leap year has 366 days.", ["365."]),
    ("What is the chemical symbol for gold?",
     [{"contains": ["Au"]}, {"excludes": ["Ag"]}], "Au.", ["Ag."]),
]
for q, exp, ref, bad in FACTS:
    add("fact", [user(q)], exp, ref, bad)


# ---------------------------------------------------------------------------------------------
# json (16): JSON mode extraction and json_schema output
# ---------------------------------------------------------------------------------------------

JSON_MODE = {"type": "json_object"}


def schema(name: str, props: dict, required: list[str] | None = None) -> dict:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": {
        "type": "object", "properties": props,
        "required": required if required is not None else list(props),
        "additionalProperties": False}}}


add("json", [user("Reply in JSON with a key colour.")], [{"json": {"colour": None}}],
    '{"colour": "blue"}', ["colour: blue"], response_format=JSON_MODE)
add("json", [user("Pull out the person's name, age and city from the sentence below and answer as JSON "
                  "with the keys name, age (a number) and city.\n\n"
                  "\"Priya Raman, 34, moved to Leeds last spring.\"")],
    [{"json": {"name": "Priya Raman", "age": 34, "city": "Leeds"}}],
    '{"name": "Priya Raman", "age": 34, "city": "Leeds"}', ['{"name": "Priya Raman", "age": 34, "city": "London"}'],
    response_format=JSON_MODE)
add("json", [system("You convert shop orders into JSON objects with the keys item, quantity and unit_price "
                    "(numbers for quantity and unit_price)."),
             user("Order: three boxes of green tea at 4.50 each.")],
    [{"json": {"item": None, "quantity": 3, "unit_price": 4.5}}],
    '{"item": "green tea", "quantity": 3, "unit_price": 4.50}', ['{"item": "green tea", "quantity": 1, "unit_price": 4.5}'],
    response_format=JSON_MODE)
add("json", [user("Make a JSON object with keys title, date (YYYY-MM-DD) and room for this calendar note: "
                  "\"Design review - Friday 14 March 2025, room B12.\"")],
    [{"json": {"title": None, "date": "2025-03-14", "room": "B12"}}],
    '{"title": "Design review", "date": "2025-03-14", "room": "B12"}', ['{"title": "Design review", "date": "2025-14-03", "room": "B12"}'],
    response_format=JSON_MODE)
add("json", [user("Read this line and return JSON with the keys model, parameters_billion (a number) and licence.\n"
                  "Line: Quillfinch-9 is a 9-billion-parameter model released under the MIT licence.")],
    [{"json": {"model": "Quillfinch-9", "parameters_billion": 9, "licence": None}}, {"contains": ["MIT"]}],
    '{"model": "Quillfinch-9", "parameters_billion": 9, "licence": "MIT"}', ['{"model": "Quillfinch-9", "parameters_billion": 9, "licence": "Apache-2.0"}'],
    response_format=JSON_MODE)
add("json", [user("Classify the review's sentiment as positive, negative or neutral. Answer in JSON with the keys "
                  "sentiment and reason.\n\nReview: \"The battery died after two days and support never replied.\"")],
    [{"json": {"sentiment": "negative", "reason": None}}],
    '{"sentiment": "negative", "reason": "The battery failed quickly and support did not answer."}',
    ['{"sentiment": "neutral", "reason": "x"}'], response_format=JSON_MODE)
add("json", [user("Day: Saturday. Return JSON with the keys day and is_weekend (true or false).")],
    [{"json": {"day": "Saturday", "is_weekend": True}}],
    '{"day": "Saturday", "is_weekend": true}', ['{"day": "Saturday", "is_weekend": false}'], response_format=JSON_MODE)
add("json", [user("Find the email address in this message and give it back as JSON under the key email: "
                  "\"Hi, write to me at tomas.vega@example.org before Friday. Thanks, Tomás\"")],
    [{"json": {"email": "tomas.vega@example.org"}}],
    '{"email": "tomas.vega@example.org"}', ['{"email": "tomas@example.org"}'], response_format=JSON_MODE)

add("json", [user("Triage this support message: \"I was charged twice for my subscription this month - please "
                  "fix it urgently!\"")],
    [{"json": {"priority": "high", "category": "billing"}}],
    '{"priority": "high", "category": "billing"}', ['{"priority": "low", "category": "billing"}'],
    response_format=schema("ticket", {"priority": {"type": "string", "enum": ["low", "medium", "high"]},
                                      "category": {"type": "string", "enum": ["billing", "technical", "account"]}}))
add("json", [user("Weather note: it's 21 degrees Celsius in Porto at the moment. Extract the city and the temperature.")],
    [{"json": {"city": "Porto", "temperature_c": 21}}],
    '{"city": "Porto", "temperature_c": 21}', ['{"city": "Porto", "temperature_c": 70}'],
    response_format=schema("weather", {"city": {"type": "string"}, "temperature_c": {"type": "number"}}))
add("json", [user("Shop reply: \"Sorry, the walnut desk is sold out until next month.\" Record the product and "
                  "whether it is in stock.")],
    [{"json": {"product": None, "in_stock": False}}],
    '{"product": "walnut desk", "in_stock": false}', ['{"product": "walnut desk", "in_stock": true}'],
    response_format=schema("stock", {"product": {"type": "string"}, "in_stock": {"type": "boolean"}}))
add("json", [user("Which programming language is this snippet written in?\n\n"
                  "fn main() {\n    println!(\"hello\");\n}")],
    [{"json": {"language": "rust"}}],
    '{"language": "rust"}', ['{"language": "go"}'],
    response_format=schema("snippet_language",
                           {"language": {"type": "string", "enum": ["python", "javascript", "rust", "go"]}}))
add("json", [user("An invoice has three lines: 12, 30 and 8 euros. What is the total?")],
    [{"json": {"total": 50}}], '{"total": 50}', ['{"total": 42}'],
    response_format=schema("invoice_total", {"total": {"type": "integer"}}))
add("json", [user("Is 17 a prime number?")],
    [{"json": {"answer": "yes", "confidence": None}}],
    '{"answer": "yes", "confidence": 0.99}', ['{"answer": "no", "confidence": 0.9}'],
    response_format=schema("yes_no", {"answer": {"type": "string", "enum": ["yes", "no"]},
                                      "confidence": {"type": "number"}}))
add("json", [user("Member record: \"Olu Adeyemi, 27, has held a gym membership since 2021.\"")],
    [{"json": {"name": "Olu Adeyemi", "age": 27, "member": True}}],
    '{"name": "Olu Adeyemi", "age": 27, "member": true}', ['{"name": "Olu Adeyemi", "age": 2021, "member": true}'],
    response_format=schema("member", {"name": {"type": "string"}, "age": {"type": "integer"},
                                      "member": {"type": "boolean"}}))
add("json", [user("Recipe step: add 2.5 kg of flour to the bowl. Extract the ingredient, the quantity and the unit.")],
    [{"json": {"ingredient": "flour", "quantity": 2.5, "unit": "kg"}}],
    '{"ingredient": "flour", "quantity": 2.5, "unit": "kg"}', ['{"ingredient": "flour", "quantity": 2500, "unit": "g"}'],
    response_format=schema("ingredient", {"ingredient": {"type": "string"}, "quantity": {"type": "number"},
                                          "unit": {"type": "string", "enum": ["g", "kg", "lb"]}}))


# ---------------------------------------------------------------------------------------------
# tool (24): 12 single calls, 8 no-call, 4 round trips
# ---------------------------------------------------------------------------------------------

def fn(name: str, description: str, props: dict, required: list[str]) -> dict:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": props, "required": required}}}


S = {"type": "string"}
I = {"type": "integer"}
N = {"type": "number"}
T = {
    "library": fn("search_library_catalog", "Search the public library's catalogue for a book and report whether copies are on the shelf.",
                  {"title": {**S, "description": "book title"}, "author": {**S, "description": "author name, optional"}}, ["title"]),
    "restaurant": fn("book_restaurant_table", "Reserve a table at a restaurant.",
                     {"restaurant": S, "date": {**S, "description": "YYYY-MM-DD"}, "time": {**S, "description": "HH:MM, 24-hour"},
                      "party_size": I}, ["restaurant", "date", "time", "party_size"]),
    "parking": fn("check_parking", "Number of free spaces in a parking garage right now.",
                  {"garage": {**S, "description": "garage name"}}, ["garage"]),
    "train": fn("get_train_departures", "Next train departures from a station, optionally towards a destination.",
                {"station": S, "destination": S}, ["station"]),
    "hotel": fn("check_hotel_availability", "Available hotel rooms in a city for a stay.",
                {"city": S, "check_in": {**S, "description": "YYYY-MM-DD"}, "nights": I}, ["city", "check_in", "nights"]),
    "cve": fn("lookup_cve", "Details of a published vulnerability: description, CVSS score, affected versions.",
              {"cve_id": {**S, "description": "e.g. CVE-2021-44228"}}, ["cve_id"]),
    "whois": fn("whois_domain", "WHOIS record of a domain name: registrar, owner, creation and expiry dates.",
                {"domain": S}, ["domain"]),
    "bike": fn("reserve_bike", "Reserve a rental bike at a docking station.",
               {"station": S, "bike_type": {"type": "string", "enum": ["city", "electric", "cargo"]}}, ["station", "bike_type"]),
    "pharmacy": fn("check_pharmacy_stock", "Whether pharmacies near a postcode have a medicine in stock.",
                   {"medicine": S, "postcode": S}, ["medicine", "postcode"]),
    "music": fn("add_to_playlist", "Add a song to one of the user's playlists.",
                {"playlist": S, "song": S, "artist": S}, ["playlist", "song"]),
    "lights": fn("set_lights", "Switch the smart lights of a room on or off, optionally with a brightness in percent.",
                 {"room": S, "state": {"type": "string", "enum": ["on", "off"]}, "brightness": I}, ["room", "state"]),
    "shipping": fn("quote_shipping", "Price quote for shipping a parcel abroad.",
                   {"weight_kg": N, "destination_country": S}, ["weight_kg", "destination_country"]),
}


def tools(*names: str) -> list[dict]:
    return [T[n] for n in names]


CALLS = [
    ("Is \"The Left Hand of Darkness\" available at the library at the moment?",
     ("whois", "library", "lights"), "search_library_catalog", {"title": "The Left Hand of Darkness"}, "auto"),
    ("Please book a table for 4 at Casa Lupa on 2025-06-12 at 19:30.",
     ("cve", "parking", "restaurant"), "book_restaurant_table",
     {"restaurant": "Casa Lupa", "date": "2025-06-12", "time": "19:30", "party_size": 4}, "auto"),
    ("Are there any free spaces in the Riverside Garage right now?",
     ("parking", "music", "hotel"), "check_parking", {"garage": "Riverside Garage"}, "auto"),
    ("When do the next trains leave Utrecht Centraal for Amsterdam?",
     ("pharmacy", "train", "whois"), "get_train_departures", {"station": "Utrecht Centraal", "destination": "Amsterdam"}, "auto"),
    ("Do any hotels in Ljubljana have a room for 2 nights starting 2025-09-03?",
     ("hotel", "shipping", "library"), "check_hotel_availability",
     {"city": "Ljubljana", "check_in": "2025-09-03", "nights": 2}, "auto"),
    ("Look up CVE-2024-3094 for me.",
     ("bike", "lights", "cve"), "lookup_cve", {"cve_id": "CVE-2024-3094"}, "any"),
    ("Who is the registrar of quietharbor.net, and when does it expire?",
     ("restaurant", "whois", "pharmacy"), "whois_domain", {"domain": "quietharbor.net"}, "auto"),
    ("Reserve me an electric bike at the Parc Central station.",
     ("train", "music", "bike"), "reserve_bike", {"station": "Parc Central", "bike_type": "electric"}, "auto"),
    ("Can I get ibuprofen at a pharmacy near postcode 75011 today?",
     ("pharmacy", "cve", "hotel"), "check_pharmacy_stock", {"medicine": "ibuprofen", "postcode": "75011"}, "auto"),
    ("Add \"Harvest Moon\" by Neil Young to my Sunday Morning playlist.",
     ("parking", "music", "shipping"), "add_to_playlist", {"playlist": "Sunday Morning", "song": "Harvest Moon"}, "auto"),
    ("Turn the kitchen lights off, please.",
     ("lights", "library", "train"), "set_lights", {"room": "kitchen", "state": "off"}, "auto"),
    ("What would it cost to send a 3 kg parcel to Canada?",
     ("bike", "whois", "shipping"), "quote_shipping", {"weight_kg": 3, "destination_country": "Canada"},
     {"type": "function", "function": {"name": "quote_shipping"}}),
]
for q, offered, name, args, choice in CALLS:
    add("tool", [user(q)], [{"tool_call": {"name": name, "arguments": args}}],
        {"name": name, "arguments": args}, ["I can't do that.", {"name": "other_tool", "arguments": args}],
        tools=tools(*offered), tool_choice=choice)

NO_CALLS = [
    ("Hi! How's your day going?", ("library", "parking", "cve"), [], "Hello! I'm doing well, thanks. How can I help?"),
    ("What is the capital of Italy?", ("hotel", "train", "whois"), [{"contains": ["Rome"]}], "Rome."),
    ("Thanks, that's everything I needed.", ("restaurant", "bike", "music"), [], "You're welcome!"),
    ("What does RAM stand for?", ("cve", "whois", "shipping"),
     [{"contains_any": ["random access memory", "random-access memory"]}], "Random-access memory."),
    ("How many minutes are there in two hours?", ("train", "parking", "pharmacy"), [{"contains": ["120"]}],
     "There are 120 minutes in two hours."),
    ("How do you say \"good morning\" in Spanish?", ("hotel", "restaurant", "library"),
     [{"contains_any": ["buenos días", "buenos dias"]}], "\"Buenos días.\""),
    ("Tell me a short joke about cats.", ("music", "pharmacy", "bike"), [],
     "Why did the cat sit on the computer? To keep an eye on the mouse."),
    ("Which colour do you get when you mix blue and yellow paint?", ("lights", "shipping", "train"),
     [{"contains": ["green"]}], "Green."),
]
for q, offered, extra_checks, ref in NO_CALLS:
    add("tool", [user(q)], [{"no_tool_call": True}] + extra_checks, ref,
        [{"name": T[offered[0]]["function"]["name"], "arguments": {}}],
        tools=tools(*offered), tool_choice="auto")


def round_trip(question: str, offered: tuple, name: str, args: dict, call_id: str, result: dict) -> list[dict]:
    return [
        user(question),
        {"role": "assistant", "content": "", "tool_calls": [{"id": call_id, "type": "function",
                                                             "function": {"name": name, "arguments": json.dumps(args)}}]},
        {"role": "tool", "name": name, "tool_call_id": call_id, "content": json.dumps(result)},
    ]


ROUND_TRIPS = [
    ("When is the next train from Gent-Sint-Pieters to Brussels?", ("train", "hotel", "lights"),
     "get_train_departures", {"station": "Gent-Sint-Pieters", "destination": "Brussels"}, "Tq7wP2xLk",
     {"departures": [{"time": "14:52", "platform": "7", "destination": "Brussels-South"}]},
     [{"contains": ["14:52"]}], "The next train leaves at 14:52 from platform 7.", "It leaves at 15:10."),
    ("What CVSS score does CVE-2023-4863 have?", ("cve", "music", "parking"),
     "lookup_cve", {"cve_id": "CVE-2023-4863"}, "b8RmZ3cVn",
     {"cve_id": "CVE-2023-4863", "cvss": 8.8, "severity": "HIGH", "summary": "Heap buffer overflow in libwebp"},
     [{"contains": ["8.8"]}], "CVE-2023-4863 has a CVSS score of 8.8 (high).", "It scores 9.8."),
    ("How many free spaces does the Northgate garage have?", ("parking", "whois", "restaurant"),
     "check_parking", {"garage": "Northgate"}, "Kx4dN9eRf",
     {"garage": "Northgate", "free_spaces": 37, "total_spaces": 420},
     [{"contains": ["37"]}], "The Northgate garage has 37 free spaces.", "It has 420 spaces."),
    ("How much is shipping for a 2 kg parcel to Japan?", ("shipping", "bike", "library"),
     "quote_shipping", {"weight_kg": 2, "destination_country": "Japan"}, "Wm2hQ6sYt",
     {"price_eur": 24.90, "delivery_days": 5},
     [{"contains": ["24.9"]}], "Shipping costs 24.90 EUR and takes about 5 days.", "About 30 euros."),
]
for q, offered, name, args, cid, result, checks, ref, bad in ROUND_TRIPS:
    add("tool", round_trip(q, offered, name, args, cid, result), [{"no_tool_call": True}] + checks, ref,
        [bad, {"name": name, "arguments": args}], tools=tools(*offered), tool_choice="auto")


# ---------------------------------------------------------------------------------------------
# rag (16): 11 answerable with a citation, 5 not in the sources
# ---------------------------------------------------------------------------------------------

NOT_SAID = "The sources do not say."
RAG_SYSTEMS = [
    "Answer from the numbered sources only and cite the ones you use as [n]. "
    "If they do not contain the answer, reply \"The sources do not say.\"",
    "You answer questions using nothing but the sources the user gives. Put the source number in square "
    "brackets after the fact, e.g. [1]. When the sources lack the answer, say: The sources do not say.",
    None,  # instruction goes in the user turn
]


def rag(i: int, sources: list[str], question: str) -> list[dict]:
    block = "\n".join(f"[{n}] {s}" for n, s in enumerate(sources, 1))
    style = RAG_SYSTEMS[i % 3]
    if style is None:
        return [user(f"Sources:\n{block}\n\nUsing only these sources, answer the question and cite your source as [n]. "
                     f"If the answer isn't in them, write \"The sources do not say.\"\n\nQuestion: {question}")]
    if i % 2:
        return [system(style), user(f"{block}\n\nQuestion: {question}")]
    return [system(style), user(f"Question: {question}\n\nSources:\n{block}")]


RAG_OK = [
    (["The Harrowgate Observatory stands on a chalk ridge above the village of Emberley and first opened to visitors in 1911.",
      "Its main instrument, the Whitcombe reflector, has a mirror 1.2 metres across; it was rebuilt in 1968.",
      "Guided night tours run on Fridays between October and March."],
     "How wide is the mirror of the observatory's main telescope?", [{"contains": ["1.2"]}], "[2]",
     "The Whitcombe reflector's mirror is 1.2 metres across [2]."),
    (["Tarnlight 4.2, the photo-cataloguing program from Bramble Labs, requires at least 6 GB of RAM and 2 GB of free disk space.",
      "Version 4.2 introduced face grouping and a dark theme."],
     "How much memory does Tarnlight 4.2 need?", [{"contains_any": ["6 GB", "6GB", "6 gigabytes"]}], "[1]",
     "It needs at least 6 GB of RAM [1]."),
    (["Orrin Textiles weaves upholstery fabric from recycled wool.",
      "The company employs about 140 people at its two mills.",
      "Mae Orrin founded Orrin Textiles in 1987 in the harbour town of Kestrel Bay."],
     "In which year was Orrin Textiles founded?", [{"contains": ["1987"]}], "[3]",
     "Orrin Textiles was founded in 1987 [3]."),
    (["Blue marsh fennel blooms in August, when its pale blue flower heads draw in hoverflies.",
      "The plant grows only in peat bogs with acidic water.",
      "Its seeds can stay viable for up to six years."],
     "In which month does blue marsh fennel flower?", [{"contains": ["August"]}], "[1]",
     "It flowers in August [1]."),
    (["Around 40,000 people speak Kelvish, mostly on the Tessary Islands.",
      "Written Kelvish uses an alphabet of 19 letters and has no letter for the \"th\" sound.",
      "Most Kelvish speakers are also fluent in English.",
      "The first Kelvish dictionary was printed in 1902."],
     "How many letters does the Kelvish alphabet have?", [{"contains": ["19"]}], "[2]",
     "The Kelvish alphabet has 19 letters [2]."),
    (["Pellow Cove is a fishing village with about 900 residents.",
      "Its harbour was deepened in 1974 to take larger trawlers.",
      "The Lantern Tide festival takes place in Pellow Cove every year on the third Saturday of October."],
     "When is the Lantern Tide festival held?", [{"contains": ["October"]}], "[3]",
     "On the third Saturday of October [3]."),
    (["Sorrel Bridge, which carries the coast road across the Amble estuary, is 640 metres long.",
      "The bridge opened in 1936 and was strengthened in 2009.",
      "Cyclists use a separate lane on its eastern side."],
     "How long is Sorrel Bridge?", [{"contains": ["640"]}], "[1]",
     "Sorrel Bridge is 640 metres long [1]."),
    (["QuillSync keeps notebooks in sync between laptops on the same network.",
      "It is written in Go and ships as a single binary.",
      "Sync sessions are encrypted end to end.",
      "Unless told otherwise, QuillSync listens on TCP port 7410."],
     "Which port does QuillSync use by default?", [{"contains": ["7410"]}], "[4]",
     "QuillSync listens on TCP port 7410 by default [4]."),
    (["Mount Ebrel is the highest peak of the Varrow range.",
      "Mount Ebrel rises to 3,412 metres above sea level.",
      "The first recorded ascent was made in 1889 by a survey party."],
     "How high is Mount Ebrel?", [{"contains_any": ["3,412", "3412", "3 412", "3.412"]}], "[2]",
     "Mount Ebrel is 3,412 metres high [2]."),
    (["The Pell-3 is a six-wheeled survey rover built by Cairnworks for quarry inspections.",
      "It carries a lidar scanner and two stereo cameras.",
      "On a full charge, the Pell-3's battery lasts 14 hours."],
     "How long does the Pell-3 run on one charge?", [{"contains": ["14"]}], "[3]",
     "About 14 hours on a full charge [3]."),
    (["Brindle & Oak runs 23 coffee shops across the north of the country.",
      "The chain roasts its own beans at a plant in Hadley.",
      "Its best-selling drink is a spiced oat latte."],
     "How many shops does Brindle & Oak have?", [{"contains": ["23"]}], "[1]",
     "Brindle & Oak has 23 coffee shops [1]."),
]
RAG_NO = [
    (["The Fenwick Museum of Clocks is open from 10:00 to 17:00, Tuesday to Sunday.",
      "Its collection holds more than 600 clocks, the oldest from 1590."],
     "How much does a ticket to the Fenwick Museum of Clocks cost?"),
    (["QuillSync keeps notebooks in sync between laptops on the same network.",
      "It is written in Go and ships as a single binary.",
      "Unless told otherwise, QuillSync listens on TCP port 7410."],
     "Under which licence is QuillSync released?"),
    (["The Merrow Star is a research vessel 68 metres long.",
      "She carries a crew of 24 and up to 30 scientists.",
      "Her home port is Askby."],
     "What is the Merrow Star's top speed?"),
    (["Caddon Academy was founded in 1952.",
      "It teaches about 1,100 students aged 11 to 18.",
      "The school is known for its rowing club."],
     "Who is the headteacher of Caddon Academy?"),
    (["Ashgrove Red is a coffee variety grown on the slopes of the Tullen hills.",
      "Its cherries ripen to a deep red in late November.",
      "Growers pick it by hand."],
     "How much caffeine does an Ashgrove Red coffee bean contain?"),
]
rag_i = 0
for sources, q, checks, cite, ref in RAG_OK:
    add("rag", rag(rag_i, sources, q), checks + [{"contains_any": [cite]}], ref,
        [ref.replace(cite, "").strip(), NOT_SAID])
    rag_i += 1
for sources, q in RAG_NO:
    add("rag", rag(rag_i, sources, q), [{"contains": ["sources do not say"]}], NOT_SAID,
        ["It costs 12 euros [1]."])
    rag_i += 1


# ---------------------------------------------------------------------------------------------
# classify (12): label from a stated set
# ---------------------------------------------------------------------------------------------

CLASSIFY = [
    ("Classify the sentiment of this text as positive, negative or neutral. Reply with the label only.\n\n"
     "\"I loved the concert - best night of the year!\"", "positive"),
    ("Sentiment label (positive / negative / neutral), label only:\n\"The parcel was delivered on Tuesday.\"", "neutral"),
    ("Is this message spam or ham? Answer with one of: spam, ham.\n\n"
     "\"Congratulations!! You have won a free cruise. Click the link now to claim your prize.\"", "spam"),
    ("Which language is this sentence in: English, French, German or Spanish? Give only the language.\n\n"
     "\"Wo ist der Bahnhof?\"", "German"),
    ("Label this log line as malicious, suspicious or benign. Reply with one word.\n\n"
     "\"2025-05-02 08:14:09 sshd: Accepted publickey for user dana from 10.4.2.17 port 52144\"", "benign"),
    ("Topic of this headline? Choose from: sports, politics, technology, weather. One word.\n\n"
     "\"Heavy rain and gusts of up to 90 km/h expected across the coast tomorrow\"", "weather"),
    ("Is a dolphin a mammal, bird, fish or reptile? Answer with the category only.", "mammal"),
    ("Route this support ticket to billing, technical or shipping. Reply with the queue name only.\n\n"
     "\"The app crashes every time I open the settings page.\"", "technical"),
    ("Is 37 odd or even? Answer with the one word.", "odd"),
    ("Classify the sentence as question, statement or command. Label only.\n\n\"Close the window, please.\"", "command"),
    ("Fruit or vegetable: carrot? Reply with fruit or vegetable.", "vegetable"),
    ("Which emotion fits best: joy, anger, sadness or fear? Label only.\n\n"
     "\"They cancelled my flight again without telling me - this is outrageous!\"", "anger"),
]
for q, label in CLASSIFY:
    add("classify", [user(q)], [{"equals": label}], label, [label + " because of the wording", "x"])


# ---------------------------------------------------------------------------------------------
# constraint (14): one word, yes/no, lists of N, length limits
# ---------------------------------------------------------------------------------------------

CONSTRAINTS = [
    ("In one word: what colour is a clear daytime sky?", [{"equals": "blue"}], "Blue.", ["The sky is blue."]),
    ("Answer with a single word: what do we call frozen water?", [{"equals": "ice"}], "Ice", ["It is called ice."]),
    ("Which planet is known as the Red Planet? One word only.", [{"max_words": 1}, {"contains": ["Mars"]}],
     "Mars", ["The planet Mars."]),
    ("Is 9 greater than 12? Answer yes or no.", [{"equals": "no"}], "No.", ["Yes."]),
    ("Is Mistral 7B released under the Apache 2.0 licence? Reply with yes or no only.", [{"equals": "yes"}], "Yes",
     ["No"]),
    ("Does a week have eight days? Answer with just yes or no.", [{"equals": "no"}], "no", ["No, it has seven."]),
    ("Can Mixtral 8x7B route a token to all eight of its experts at once? Answer only yes or no.",
     [{"equals": "no"}], "No.", ["Yes."]),
    ("List the three primary colours of paint, one per line, with nothing else.", [{"lines": 3}],
     "Red\nYellow\nBlue", ["Red, yellow, blue"]),
    ("Give exactly 4 tips for saving energy at home, one per line, no introduction.", [{"lines": 4}],
     "Switch off lights you are not using.\nLower the thermostat by one degree.\nRun full loads in the washing machine.\n"
     "Unplug chargers when idle.", ["Here are tips:\n1. a\n2. b\n3. c\n4. d"]),
    ("Name 5 European capital cities, one per line and nothing more.", [{"lines": 5}],
     "Paris\nBerlin\nMadrid\nRome\nLisbon", ["Paris\nBerlin\nMadrid\nRome"]),
    ("Write exactly two lines: first a short title, then one sentence on why people quantize language models.",
     [{"lines": 2}], "Why quantize?\nQuantization shrinks a model so it fits in less memory and runs faster.",
     ["Why quantize?\n\nIt shrinks models.\nAnd speeds them up."]),
    ("Explain what an API key is in at most 15 words.", [{"max_words": 15}],
     "A secret token that identifies you to an API and authorises your requests.",
     ["An API key is a long secret string that a service gives you so that it can identify who is making each request "
      "and bill them."]),
    ("Describe LoRA fine-tuning in no more than 20 words.", [{"max_words": 20}, {"contains_any": ["low-rank", "low rank", "adapter"]}],
     "LoRA freezes the base model and trains small low-rank matrices added to chosen weight layers.",
     ["It trains all the weights."]),
    ("In 10 words or fewer, what does Ollama do?", [{"max_words": 10}, {"contains_any": ["model", "LLM"]}],
     "It runs open language models locally on your own machine.",
     ["Ollama is a tool that downloads and runs open language models on your own computer with one command."]),
]
for q, checks, ref, bad in CONSTRAINTS:
    add("constraint", [user(q)], checks, ref, bad)


# ---------------------------------------------------------------------------------------------
# multiturn (10): the last user turn refers back
# ---------------------------------------------------------------------------------------------

MULTI = [
    ([user("Hi, my name is Ines."), assistant("Nice to meet you, Ines! How can I help?"), user("What's my name?")],
     [{"contains": ["Ines"]}], "Your name is Ines.", ["I don't know your name."]),
    ([user("I have 3 apples."), assistant("Okay, you have 3 apples."),
      user("I buy 4 more. How many apples do I have now?")], [{"number": 7}], "You have 7 apples.", ["4"]),
    ([user("Describe Mixtral 8x7B in one sentence."),
      assistant("Mixtral 8x7B is an Apache-2.0 sparse mixture-of-experts model: each layer has eight experts and "
                "a router picks two of them for every token."),
      user("So how many parameters does it actually use for each token?")],
     [{"contains": ["12.9"]}], "About 12.9 billion of its 46.7 billion parameters.", ["All 46.7 billion."]),
    ([user("What is the capital of France?"), assistant("Paris."), user("And of Germany?")],
     [{"contains": ["Berlin"]}], "Berlin.", ["Paris."]),
    ([user("How do you say 'cat' in French?"), assistant("\"Chat.\""), user("And in Spanish?")],
     [{"contains": ["gato"]}], "\"Gato.\"", ["Chat."]),
    ([user("Let's work with the number 12."), assistant("Sure - 12 it is. What would you like to do with it?"),
      user("Double it.")], [{"number": 24}], "Doubling 12 gives 24.", ["14"]),
    ([system("You are a helpful assistant for the Mistral Workbook."),
      user("My favourite open model is Mistral NeMo."),
      assistant("A good pick: Mistral NeMo is a 12B model with a 128K-token context, released under Apache 2.0."),
      user("Which tokenizer does it use?")],
     [{"contains": ["Tekken"]}], "It uses Tekken, a tokenizer with a vocabulary of about 131,000 entries.",
     ["SentencePiece, like Mistral 7B."]),
    ([user("I'm packing for a trip to Oslo in January."),
      assistant("Expect cold, dark days: bring warm layers, a hat and waterproof boots."),
      user("Which country is that city in?")], [{"contains": ["Norway"]}], "Oslo is in Norway.", ["Sweden."]),
    ([user("Remember this list: pear, plum, fig."), assistant("Got it: pear, plum, fig."),
      user("What was the second item?")], [{"contains": ["plum"]}], "The second item was plum.", ["Pear."]),
    ([user("How many legs does a spider have?"), assistant("Eight."), user("And an insect?")],
     [{"contains_any": ["six", "6"]}], "Six.", ["Eight."]),
]
for msgs, checks, ref, bad in MULTI:
    add("multiturn", msgs, checks, ref, bad)


# ---------------------------------------------------------------------------------------------
# arith (10): small sums, differences, one-digit products, short word problems
# ---------------------------------------------------------------------------------------------

ARITH = [
    ("What is 47 + 38?", 85),
    ("Compute 92 - 57.", 35),
    ("What is 8 times 9?", 72),
    ("Add 156 and 244.", 400),
    ("A cupboard has 5 shelves and each shelf holds 9 jars. How many jars fit in the cupboard?", 45),
    ("Nadia had 60 stickers. She gave 18 to her brother and then bought 7 more. How many stickers does she have now?", 49),
    ("A museum ticket costs 6 euros and a guidebook costs 3 euros. How many euros do 4 tickets and one guidebook cost?", 27),
    ("What is 300 minus 125?", 175),
    ("A cyclist rides 14 km before lunch and 19 km after lunch. How many kilometres is that in total?", 33),
    ("There are 5 packs of 8 markers, and 6 of the markers have dried out. How many markers still work?", 34),
]
for q, n in ARITH:
    add("arith", [user(q)], [{"number": n}], f"The answer is {n}.", [f"The answer is {n + 1}."])


# ---------------------------------------------------------------------------------------------
# code (10): short Python functions checked with asserts
# ---------------------------------------------------------------------------------------------

CODE = [
    ("Write a Python function `reverse_words(sentence)` that returns the words of a space-separated sentence in "
     "reverse order, joined by single spaces.",
     "reverse_words",
     "assert reverse_words('one two three') == 'three two one'\nassert reverse_words('hello') == 'hello'",
     "def reverse_words(sentence):\n    return ' '.join(reversed(sentence.split()))\n",
     "def reverse_words(sentence):\n    return sentence[::-1]\n"),
    ("Write a Python function `is_leap_year(year)` that returns True if year is a Gregorian leap year and False otherwise.",
     "is_leap_year",
     "assert is_leap_year(2024) is True\nassert is_leap_year(1900) is False\nassert is_leap_year(2000) is True",
     "def is_leap_year(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n",
     "def is_leap_year(year):\n    return year % 4 == 0\n"),
    ("Write a Python function `factorial(n)` that returns n! for a non-negative integer n (factorial(0) is 1).",
     "factorial",
     "assert factorial(0) == 1\nassert factorial(5) == 120\nassert factorial(1) == 1",
     "def factorial(n):\n    result = 1\n    for k in range(2, n + 1):\n        result *= k\n    return result\n",
     "def factorial(n):\n    return n * (n - 1)\n"),
    ("Write a Python function `sum_of_squares(numbers)` that returns the sum of the squares of a list of integers "
     "(0 for an empty list).",
     "sum_of_squares",
     "assert sum_of_squares([1, 2, 3]) == 14\nassert sum_of_squares([]) == 0\nassert sum_of_squares([-2]) == 4",
     "def sum_of_squares(numbers):\n    return sum(n * n for n in numbers)\n",
     "def sum_of_squares(numbers):\n    return sum(numbers) ** 2\n"),
    ("Write a Python function `remove_duplicates(items)` that returns a new list without repeated items, keeping the "
     "first occurrence of each and the original order.",
     "remove_duplicates",
     "assert remove_duplicates([3, 1, 3, 2, 1]) == [3, 1, 2]\nassert remove_duplicates([]) == []\n"
     "assert remove_duplicates(['a', 'a']) == ['a']",
     "def remove_duplicates(items):\n    seen = []\n    for x in items:\n        if x not in seen:\n            seen.append(x)\n    return seen\n",
     "def remove_duplicates(items):\n    return sorted(set(items))\n"),
    ("Write a Python function `average(numbers)` that returns the arithmetic mean of a list of numbers as a float, "
     "or 0.0 when the list is empty.",
     "average",
     "assert average([2, 4, 6]) == 4.0\nassert average([]) == 0.0\nassert abs(average([1, 2]) - 1.5) < 1e-9",
     "def average(numbers):\n    return sum(numbers) / len(numbers) if numbers else 0.0\n",
     "def average(numbers):\n    return sum(numbers) / len(numbers)\n"),
    ("Write a Python function `count_words(text)` that returns how many words a string contains, where words are "
     "separated by any amount of whitespace.",
     "count_words",
     "assert count_words('the quick  brown fox') == 4\nassert count_words('') == 0\nassert count_words('  one\\ttwo\\n') == 2",
     "def count_words(text):\n    return len(text.split())\n",
     "def count_words(text):\n    return len(text.split(' '))\n"),
    ("Write a Python function `max_of_three(a, b, c)` that returns the largest of three numbers without using the "
     "built-in max.",
     "max_of_three",
     "assert max_of_three(1, 5, 3) == 5\nassert max_of_three(-1, -7, -3) == -1\nassert max_of_three(4, 4, 2) == 4",
     "def max_of_three(a, b, c):\n    best = a\n    if b > best:\n        best = b\n    if c > best:\n        best = c\n    return best\n",
     "def max_of_three(a, b, c):\n    return c\n"),
    ("Write a Python function `clamp(value, low, high)` that returns value limited to the range from low to high "
     "(low if it is below, high if it is above).",
     "clamp",
     "assert clamp(5, 0, 10) == 5\nassert clamp(-3, 0, 10) == 0\nassert clamp(42, 0, 10) == 10",
     "def clamp(value, low, high):\n    if value < low:\n        return low\n    if value > high:\n        return high\n    return value\n",
     "def clamp(value, low, high):\n    return min(value, low)\n"),
    ("Write a Python function `initials(full_name)` that returns the upper-case first letter of each word in a name, "
     "for example initials('ada lovelace') returns 'AL'.",
     "initials",
     "assert initials('ada lovelace') == 'AL'\nassert initials('Grace Brewster Hopper') == 'GBH'\nassert initials('Linus') == 'L'",
     "def initials(full_name):\n    return ''.join(word[0].upper() for word in full_name.split())\n",
     "def initials(full_name):\n    return full_name[:2].upper()\n"),
]
for q, entry, tests, solution, wrong in CODE:
    add("code", [user(q)], [{"python": {"entry_point": entry, "tests": tests}}],
        f"```python\n{solution}```", [f"```python\n{wrong}```"], reference=solution)


# ---------------------------------------------------------------------------------------------
# a small implementation of the README's checks, to test the set against its references
# ---------------------------------------------------------------------------------------------

def _norm(s: str) -> str:
    return s.strip().strip("\"'`").rstrip(".!").strip().lower()


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def check(c: dict, reply) -> bool:
    (name, arg), = c.items()
    is_call = isinstance(reply, dict)
    text = "" if is_call else reply
    if name == "tool_call":
        return is_call and reply["name"] == arg["name"] and all(
            k in reply["arguments"] and _same(reply["arguments"][k], v) for k, v in arg["arguments"].items())
    if name == "no_tool_call":
        return not is_call
    if is_call:
        return False
    low = text.lower()
    if name == "contains":
        return all(s.lower() in low for s in arg)
    if name == "contains_any":
        return any(s.lower() in low for s in arg)
    if name == "excludes":
        return not any(s.lower() in low for s in arg)
    if name == "equals":
        return _norm(text) == _norm(arg)
    if name == "number":
        nums = re.findall(r"-?\d+(?:\.\d+)?", text)
        return bool(nums) and float(nums[-1]) == float(arg)
    if name == "json":
        try:
            obj = json.loads(text)
        except ValueError:
            return False
        return isinstance(obj, dict) and all(k in obj and (v is None or _same(obj[k], v)) for k, v in arg.items())
    if name == "max_words":
        return len(text.split()) <= arg
    if name == "lines":
        return sum(1 for line in text.splitlines() if line.strip()) == arg
    if name == "python":
        m = re.search(r"```(?:python)?\n(.*?)```", text, re.S)
        code = m.group(1) if m else text
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(code + "\n" + arg["tests"] + "\n")
        r = subprocess.run([sys.executable, f.name], capture_output=True, timeout=10)
        Path(f.name).unlink()
        return r.returncode == 0 and f"def {arg['entry_point']}(" in code
    raise ValueError(f"unknown check {name}")


def passes(rec: dict, reply) -> bool:
    return all(check(c, reply) for c in rec["expect"])


def validate() -> None:
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    allowed = {"contains", "contains_any", "excludes", "equals", "number", "json", "tool_call", "no_tool_call",
               "python", "max_words", "lines"}
    for rec in RECORDS:
        assert rec["messages"][-1]["role"] in ("user", "tool"), rec["id"]
        assert rec["expect"], rec["id"]
        for c in rec["expect"]:
            assert len(c) == 1 and next(iter(c)) in allowed, (rec["id"], c)
        for m in rec["messages"]:
            for tc in m.get("tool_calls", []):
                assert isinstance(tc["function"]["arguments"], str)
        assert passes(rec, REFS[rec["id"]]), f"{rec['id']}: reference fails {rec['expect']}"
        for bad in BADS.get(rec["id"], []):
            assert not passes(rec, bad), f"{rec['id']}: wrong reply passes: {bad!r}"
        if "tools" in rec:
            offered = {t["function"]["name"] for t in rec["tools"]}
            for c in rec["expect"]:
                if "tool_call" in c:
                    assert c["tool_call"]["name"] in offered, rec["id"]
    want = {"fact": 20, "json": 16, "tool": 24, "rag": 16, "classify": 12, "constraint": 14,
            "multiturn": 10, "arith": 10, "code": 10}
    got = Counter(r["kind"] for r in RECORDS)
    assert got == Counter(want), got


def main() -> None:
    validate()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    counts = Counter(r["kind"] for r in RECORDS)
    print(f"wrote {len(RECORDS)} records to {OUT.relative_to(ROOT)}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
