"""Instruction data for the workbook assistant: the kinds `json`, `tool` and `rag`.

    python3 scripts/assistant_data/structured.py

Writes data/assistant/train/structured.jsonl (record format: data/assistant/README.md), then
re-reads and validates every line. Deterministic: the same file on every run. Standard library only.

Every record is written by hand below (no template fan-out): JSON extraction / JSON mode /
json_schema answers, tool-use decisions (which tool, which arguments, no call, round trips,
tool_choice "any" and named, system prompts, multi-turn), and answers grounded in numbered sources,
including the exact prompt and `cited_answer` schema of notebook 04 (helpers/rag/answers.py).
The threat-database tool results are read from data/threat_indicators.sqlite (notebook 03's database).
All texts, people, companies and passages are invented for this file.
"""

from __future__ import annotations

import ast
import json
import random
import re
import sqlite3
from collections import Counter, namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "assistant" / "train" / "structured.jsonl"
THREAT_DB = ROOT / "data" / "threat_indicators.sqlite"

RECORDS: list[tuple[str, dict]] = []  # (sub-case label, record)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


# ============================================================================ message helpers

def U(text: str) -> dict:
    return {"role": "user", "content": text}


def SYS(text: str) -> dict:
    return {"role": "system", "content": text}


def A(text: str) -> dict:
    return {"role": "assistant", "content": text}


_ID_RNG = random.Random(5318008)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_USED_IDS: set[str] = set()


def new_id() -> str:
    while True:
        cid = "".join(_ID_RNG.choice(_ALNUM) for _ in range(9))
        if cid not in _USED_IDS:
            _USED_IDS.add(cid)
            return cid


def CALL(*calls: tuple[str, dict]) -> dict:
    """An assistant turn asking for one or more tool calls (arguments become a JSON string)."""
    return {"role": "assistant", "content": "", "tool_calls": [
        {"id": new_id(), "type": "function", "function": {"name": name, "arguments": dumps(args)}}
        for name, args in calls]}


def RESULTS(call_msg: dict, *results) -> list[dict]:
    """The tool messages answering each call of `call_msg`, in order."""
    assert len(results) == len(call_msg["tool_calls"])
    return [{"role": "tool", "name": c["function"]["name"], "tool_call_id": c["id"],
             "content": r if isinstance(r, str) else dumps(r)}
            for c, r in zip(call_msg["tool_calls"], results)]


# ============================================================================ JSON records

def jrec(sub: str, user: str, answer, rf=None, system: str | None = None, history: list | None = None) -> None:
    """A `json` record: optional system, optional earlier turns, the user's request, the JSON answer."""
    msgs = ([SYS(system)] if system else []) + (history or []) + [U(user)]
    msgs.append(A(answer if isinstance(answer, str) else dumps(answer)))
    rec = {"kind": "json", "messages": msgs}
    if rf is not None:
        rec["response_format"] = rf
    RECORDS.append((sub, rec))


JSON_OBJECT = {"type": "json_object"}


def schema_rf(name: str, schema: dict, strict: bool | None = None) -> dict:
    js = {"name": name, "schema": schema}
    if strict is not None:
        js["strict"] = strict
    return {"type": "json_schema", "json_schema": js}


def obj(props: dict, required=None, additional=None, title: str | None = None) -> dict:
    """A JSON schema object (required defaults to every property)."""
    s = {"title": title} if title else {}
    s.update({"type": "object", "properties": props, "required": list(props) if required is None else required})
    if additional is not None:
        s["additionalProperties"] = additional
    return s


def st(**kw) -> dict:
    return {"type": "string", **kw}


def num(**kw) -> dict:
    return {"type": "number", **kw}


def integer(**kw) -> dict:
    return {"type": "integer", **kw}


def boolean(**kw) -> dict:
    return {"type": "boolean", **kw}


def arr(items: dict, **kw) -> dict:
    return {"type": "array", "items": items, **kw}


def enum(*values: str, **kw) -> dict:
    return {"type": "string", "enum": list(values), **kw}


def pyd(title: str, fields: dict, required=None) -> dict:
    """A schema in the shape pydantic's model_json_schema() writes: titles on the model and every field."""
    props = {}
    for name, spec in fields.items():
        props[name] = {"title": name.replace("_", " ").title(), **spec}
    return {"properties": props, "required": list(fields) if required is None else required,
            "title": title, "type": "object"}


def build_json() -> None:
    O = JSON_OBJECT

    # ---- extraction into named keys, JSON mode -------------------------------------------------
    jrec("extract", 'Extract name, age and city as JSON.\n\n"Maria Lopez is 34 and lives in Valencia."',
         {"name": "Maria Lopez", "age": 34, "city": "Valencia"}, O)
    jrec("extract", "Order text: Order #A-1042 - 3 blue mugs at 7.50 EUR each, ship to Ghent.\n"
         "Return JSON with order_id, item, quantity, unit_price, currency, destination.",
         {"order_id": "A-1042", "item": "blue mug", "quantity": 3, "unit_price": 7.5, "currency": "EUR",
          "destination": "Ghent"}, O)
    jrec("extract", "Pull the address fields out of this: \"Please deliver to Jonas Berg, Storgatan 12, 114 55 "
         "Stockholm, Sweden.\" Keys: name, street, postal_code, city, country.",
         {"name": "Jonas Berg", "street": "Storgatan 12", "postal_code": "114 55", "city": "Stockholm",
          "country": "Sweden"}, O)
    jrec("extract", "The robotics club meets on 2025-03-14 at 18:30 in room B12.\n"
         "Give me event, date, time and room as a JSON object.",
         {"event": "robotics club meeting", "date": "2025-03-14", "time": "18:30", "room": "B12"}, O)
    jrec("extract", "Parse this log line into JSON (timestamp, level, service, message):\n"
         "2024-11-02T08:14:55Z ERROR payment-svc timeout after 3000 ms",
         {"timestamp": "2024-11-02T08:14:55Z", "level": "ERROR", "service": "payment-svc",
          "message": "timeout after 3000 ms"}, O)
    jrec("extract", "Review: \"Great blender, crushes ice easily, but it's loud. 4/5.\"\n"
         "JSON keys: product, rating (number), pros (list), cons (list).",
         {"product": "blender", "rating": 4, "pros": ["crushes ice easily"], "cons": ["loud"]}, O)
    jrec("extract", "Extract the people mentioned, as JSON with a key people (list of names): "
         "\"Ana met Tomasz and Li Wei at the airport, then called Priya.\"",
         {"people": ["Ana", "Tomasz", "Li Wei", "Priya"]}, O)
    jrec("extract", "Text: Dr. Kwame Mensah, cardiologist, phone +233 24 555 0192.\n"
         "Return a JSON object with name, specialty, phone.",
         {"name": "Dr. Kwame Mensah", "specialty": "cardiologist", "phone": "+233 24 555 0192"}, O,
         system="You extract structured data. Answer with one JSON object.")
    jrec("extract", "From the sentence below, get the product, the price and the currency.\n"
         "The Aurora desk lamp now costs 39.99 USD.",
         {"product": "Aurora desk lamp", "price": 39.99, "currency": "USD"}, O)
    jrec("extract", "Log: [WARN] 2025-01-09 23:01:12 disk-monitor /dev/sda1 at 91% capacity\n"
         "Extract level, date, time, component, device and usage_percent.",
         {"level": "WARN", "date": "2025-01-09", "time": "23:01:12", "component": "disk-monitor",
          "device": "/dev/sda1", "usage_percent": 91}, O)
    jrec("extract", "\"Flight LX 318 from Zurich to London leaves at 07:40 from gate A52.\" "
         "JSON with flight, from, to, departure, gate.",
         {"flight": "LX 318", "from": "Zurich", "to": "London", "departure": "07:40", "gate": "A52"}, O)
    jrec("extract", "Customer note: \"Hi, I'm Oona Virtanen, my order 55812 arrived with a cracked screen.\"\n"
         "Give customer, order_number and issue as JSON.",
         {"customer": "Oona Virtanen", "order_number": "55812", "issue": "cracked screen"}, O)
    jrec("extract", "Invoice INV-2291, issued 2024-06-30, total 1,250.00 GBP, due in 30 days. "
         "Return invoice_id, issue_date, total, currency, due_days.",
         {"invoice_id": "INV-2291", "issue_date": "2024-06-30", "total": 1250.0, "currency": "GBP",
          "due_days": 30}, O)
    jrec("extract", "Turn this into JSON with keys title, author, year:\n"
         "'The Salt Road' by Imogen Hale came out in 2019.",
         {"title": "The Salt Road", "author": "Imogen Hale", "year": 2019}, O)
    jrec("extract", "Sentence: \"Two adults and three children checked in to room 214 on Friday.\"\n"
         "Extract adults, children and room as JSON numbers/strings.",
         {"adults": 2, "children": 3, "room": "214"}, O)
    jrec("extract", "Extract the meeting details (topic, day, start, end) as JSON: "
         "Budget review moved to Thursday, 14:00 to 15:30.",
         {"topic": "budget review", "day": "Thursday", "start": "14:00", "end": "15:30"}, O)
    jrec("extract", "Apache log: 192.0.2.44 - - [12/Mar/2025:10:02:31 +0000] \"GET /login HTTP/1.1\" 401 512\n"
         "JSON with ip, method, path, status, bytes.",
         {"ip": "192.0.2.44", "method": "GET", "path": "/login", "status": 401, "bytes": 512}, O)
    jrec("extract", "Review of the Kestrel 2 headphones: \"Battery lasts forever, bass is weak, would not buy "
         "again.\" Keys: product, sentiment, would_buy_again (boolean).",
         {"product": "Kestrel 2 headphones", "sentiment": "negative", "would_buy_again": False}, O)
    jrec("extract", "Get the ingredients list from: \"Whisk two eggs with flour, milk and a pinch of salt.\" "
         "JSON key ingredients.", {"ingredients": ["eggs", "flour", "milk", "salt"]}, O)
    jrec("extract", "Event: Harbour Jazz Night, Saturday 21 June 2025, doors 19:00, tickets 18 EUR.\n"
         "Extract name, date, doors, price, currency.",
         {"name": "Harbour Jazz Night", "date": "2025-06-21", "doors": "19:00", "price": 18, "currency": "EUR"},
         O)
    jrec("extract", "Contact card: Felipe Arce | felipe.arce@example.com | Lima, Peru\n"
         "Return name, email, city and country.",
         {"name": "Felipe Arce", "email": "felipe.arce@example.com", "city": "Lima", "country": "Peru"}, O)
    jrec("extract", "Extract as JSON (item, quantity, unit): \"We need 12 kg of rice for the camp.\"",
         {"item": "rice", "quantity": 12, "unit": "kg"}, O)
    jrec("extract", "Shipping update: parcel 7F3K-22 left the Leipzig hub at 06:15 and is due Tuesday.\n"
         "JSON keys: parcel_id, location, time, eta.",
         {"parcel_id": "7F3K-22", "location": "Leipzig hub", "time": "06:15", "eta": "Tuesday"}, O)
    jrec("extract", "sshd[2212]: Failed password for root from 203.0.113.9 port 52114\n"
         "Extract process, pid, user, source_ip, port.",
         {"process": "sshd", "pid": 2212, "user": "root", "source_ip": "203.0.113.9", "port": 52114}, O,
         system="Return only JSON.")
    jrec("extract", "The new hire is Samira Haddad, starting 2025-09-01 as a data engineer in the Lisbon office. "
         "Extract name, role, start_date and office.",
         {"name": "Samira Haddad", "role": "data engineer", "start_date": "2025-09-01", "office": "Lisbon"}, O)
    jrec("extract", "\"Lovely hotel, friendly staff, but breakfast was cold.\" - 3 stars\n"
         "Give rating, liked (list) and disliked (list) as JSON.",
         {"rating": 3, "liked": ["friendly staff"], "disliked": ["cold breakfast"]}, O)
    jrec("extract", "Extract JSON with keys city and temperature_c from: \"It was 27 degrees in Seville at noon.\"",
         {"city": "Seville", "temperature_c": 27}, O)
    jrec("extract", "Order: 1x Trailblazer backpack (89 USD), 2x water bottle (12 USD each). "
         "Return items (list of {name, qty}) and total.",
         {"items": [{"name": "Trailblazer backpack", "qty": 1}, {"name": "water bottle", "qty": 2}], "total": 113},
         O)
    jrec("extract", "Who, what, where? \"Captain Rhea Solis landed the glider on Brindle Island.\" "
         "Answer as JSON with who, what, where.",
         {"who": "Captain Rhea Solis", "what": "landed the glider", "where": "Brindle Island"}, O)
    jrec("extract", "Pull the dates out of this text as JSON {\"dates\": [...]}, ISO format: "
         "\"Kick-off on 3 February 2025, review on 17 March 2025.\"",
         {"dates": ["2025-02-03", "2025-03-17"]}, O)
    jrec("extract", "Text: \"Kenji Watanabe (41) teaches chemistry in Osaka.\"\nKeys: name, age, subject, city.",
         {"name": "Kenji Watanabe", "age": 41, "subject": "chemistry", "city": "Osaka"}, O)
    jrec("extract", "Extract the error code and message as JSON: \"Request failed: E1043 quota exceeded for "
         "project atlas.\" Keys: code, message, project.",
         {"code": "E1043", "message": "quota exceeded", "project": "atlas"}, O)
    jrec("extract", "Address: 18 Rue des Lilas, 69003 Lyon, France. Split it into street, postcode, city, country.",
         {"street": "18 Rue des Lilas", "postcode": "69003", "city": "Lyon", "country": "France"}, O)
    jrec("extract", "Here is a review: \"Five stars! The Nimbus kettle boils in under two minutes.\" "
         "Return product, stars and highlight.",
         {"product": "Nimbus kettle", "stars": 5, "highlight": "boils in under two minutes"}, O)
    jrec("extract", "Extract JSON (email, name) from the signature:\n--\nBest,\nHelga Strand\nhelga@strand.example",
         {"email": "helga@strand.example", "name": "Helga Strand"}, O)

    # ---- short JSON-mode answers ----------------------------------------------------------------
    jrec("mode", "What colour is a clear daytime sky? Reply in JSON with a key colour.", {"colour": "blue"}, O)
    jrec("mode", "Is 17 a prime number? Answer as JSON with the key is_prime.", {"is_prime": True}, O)
    jrec("mode", "Capital of Japan, in JSON with key capital.", {"capital": "Tokyo"}, O)
    jrec("mode", "How many legs does a spider have? JSON, key legs.", {"legs": 8}, O)
    jrec("mode", "List the three primary colours of light in JSON under the key colours.",
         {"colours": ["red", "green", "blue"]}, O)
    jrec("mode", "Give the chemical symbol for gold. Keys: element, symbol.", {"element": "gold", "symbol": "Au"}, O)
    jrec("mode", "Boiling point of water at sea level in Celsius, JSON key boiling_point_c.",
         {"boiling_point_c": 100}, O)
    jrec("mode", "Translate 'thank you' into French. Respond with JSON: english, french.",
         {"english": "thank you", "french": "merci"}, O)
    jrec("mode", "Sentiment of \"The delivery was late and the box was crushed\"? JSON key sentiment "
         "(positive, negative or neutral).", {"sentiment": "negative"}, O)
    jrec("mode", "Which is larger, 0.7 or 0.65? Reply as JSON with key larger.", {"larger": 0.7}, O)
    jrec("mode", "What is 12 times 11? Put it in JSON under result.", {"result": 132}, O)
    jrec("mode", "Who wrote Pride and Prejudice? JSON with an author key.", {"author": "Jane Austen"}, O)
    jrec("mode", "Which response_format type makes a Mistral model return valid JSON without a schema? "
         "Key: type.", {"type": "json_object"}, O)
    jrec("mode", "Where is the Eiffel Tower? JSON with city and country.", {"city": "Paris", "country": "France"}, O)
    jrec("mode", "Is the Pacific the largest ocean? JSON key answer, yes or no.", {"answer": "yes"}, O)
    jrec("mode", "How many days does a leap year have? Key: days.", {"days": 366}, O)
    jrec("mode", "Return the first five even positive numbers as JSON under numbers.",
         {"numbers": [2, 4, 6, 8, 10]}, O)
    jrec("mode", "Opposite of 'ancient'? Reply in JSON, key antonym.", {"antonym": "modern"}, O)
    jrec("mode", "Which planet is called the Red Planet? JSON with key planet.", {"planet": "Mars"}, O)
    jrec("mode", "Name a fruit that is yellow. Key fruit.", {"fruit": "banana"}, O,
         system="You reply only with JSON objects.")
    jrec("mode", "Convert 2.5 hours to minutes. JSON key minutes.", {"minutes": 150}, O)
    jrec("mode", "HTTP status code for 'Not Found', as JSON with key code.", {"code": 404}, O)
    jrec("mode", "What language is the word 'gracias'? JSON with word and language.",
         {"word": "gracias", "language": "Spanish"}, O)
    jrec("mode", "Is Python dynamically typed? Boolean in JSON, key dynamically_typed.", {"dynamically_typed": True}, O)
    jrec("mode", "Give me two synonyms of 'quick' as JSON (key synonyms).", {"synonyms": ["fast", "rapid"]}, O,
         system="Always answer in JSON.")
    jrec("mode", "Is 2024 a leap year? JSON: {\"year\": ..., \"leap\": ...}", {"year": 2024, "leap": True}, O)
    jrec("mode", "Freezing point of water in Fahrenheit. Key: fahrenheit.", {"fahrenheit": 32}, O)
    jrec("mode", "Spell the word 'cat' backwards. Reply with JSON key reversed.", {"reversed": "tac"}, O)

    # ---- json_schema: the schema's meaning (enums, numbers, booleans, required keys) ----------------
    sentiment = obj({"sentiment": enum("positive", "negative", "neutral")}, additional=False)
    jrec("schema", "Classify: \"Setup took two minutes and it works perfectly.\"", {"sentiment": "positive"},
         schema_rf("sentiment", sentiment, True))
    jrec("schema", "Classify the sentiment: \"The package arrived on Tuesday.\"", {"sentiment": "neutral"},
         schema_rf("sentiment", sentiment, True))
    jrec("schema", "How does this customer feel? \"Third time the app crashed during checkout. Done.\"",
         {"sentiment": "negative"}, schema_rf("sentiment", sentiment, True))
    triage = obj({"category": enum("billing", "technical", "account", "other"), "urgent": boolean()},
                 additional=False)
    jrec("schema", "Triage this ticket: \"I was charged twice for my March subscription, please refund.\"",
         {"category": "billing", "urgent": False}, schema_rf("ticket_triage", triage, True))
    jrec("schema", "Triage: \"Production API returns 500 for every request since 09:00, all customers "
         "affected!\"", {"category": "technical", "urgent": True}, schema_rf("ticket_triage", triage, True))
    jrec("schema", "Triage this message: \"How do I change the email address on my profile?\"",
         {"category": "account", "urgent": False}, schema_rf("ticket_triage", triage, True))
    person = pyd("Person", {"name": st(), "age": integer(), "email": st()})
    jrec("schema", "Extract the person: \"Contact Ingrid Solberg, 52, at ingrid@solberg.example.\"",
         {"name": "Ingrid Solberg", "age": 52, "email": "ingrid@solberg.example"}, schema_rf("Person", person))
    jrec("schema", "Person from this text: \"Write to tomas.novak@example.org - Tomas Novak, aged 29.\"",
         {"name": "Tomas Novak", "age": 29, "email": "tomas.novak@example.org"}, schema_rf("Person", person))
    event = obj({"title": st(), "date": st(description="YYYY-MM-DD"), "attendees": integer(), "online": boolean()})
    jrec("schema", "Extract the event: \"Quarterly planning on 2025-04-08, 14 people, held on video call.\"",
         {"title": "Quarterly planning", "date": "2025-04-08", "attendees": 14, "online": True},
         schema_rf("event", event))
    jrec("schema", "Event details please: the Riverside cleanup happens on 2025-05-17 at the north bank; "
         "40 volunteers signed up.", {"title": "Riverside cleanup", "date": "2025-05-17", "attendees": 40,
                                      "online": False}, schema_rf("event", event))
    product = pyd("Product", {"name": st(), "price": num(), "in_stock": boolean(), "tags": arr(st())})
    jrec("schema", "Listing: \"Cedar cutting board - 24.90, sold out, tags: kitchen, wood\"",
         {"name": "Cedar cutting board", "price": 24.9, "in_stock": False, "tags": ["kitchen", "wood"]},
         schema_rf("Product", product))
    jrec("schema", "Parse the product: Volta USB-C charger, 19 dollars, available now, tagged electronics.",
         {"name": "Volta USB-C charger", "price": 19, "in_stock": True, "tags": ["electronics"]},
         schema_rf("Product", product))
    log = obj({"level": enum("DEBUG", "INFO", "WARNING", "ERROR"), "service": st(), "status_code": integer()},
              additional=False)
    jrec("schema", "Log line: 2025-02-11 10:04:09 [error] auth-gateway upstream returned 503",
         {"level": "ERROR", "service": "auth-gateway", "status_code": 503}, schema_rf("log_entry", log, True))
    jrec("schema", "Structure this: \"warn: search-api slow response, status 200 after 4.2 s\"",
         {"level": "WARNING", "service": "search-api", "status_code": 200}, schema_rf("log_entry", log, True))
    invoice = obj({"invoice_number": st(), "total": num(), "currency": enum("EUR", "USD", "GBP"), "paid": boolean()})
    jrec("schema", "Invoice text: \"No. 88-417, amount due 312.40 euros, payment received 2 May.\"",
         {"invoice_number": "88-417", "total": 312.4, "currency": "EUR", "paid": True}, schema_rf("invoice", invoice))
    jrec("schema", "Read this invoice line: INV 5520 - total $1,080.00 - status: unpaid",
         {"invoice_number": "5520", "total": 1080.0, "currency": "USD", "paid": False}, schema_rf("invoice", invoice))
    recipe = pyd("Recipe", {"title": st(), "servings": integer(), "vegetarian": boolean(),
                            "ingredients": arr(st())})
    jrec("schema", "Recipe card: Lentil soup for 4 - lentils, carrots, onion, cumin.",
         {"title": "Lentil soup", "servings": 4, "vegetarian": True,
          "ingredients": ["lentils", "carrots", "onion", "cumin"]}, schema_rf("Recipe", recipe))
    jrec("schema", "Recipe: chicken tacos, serves 2, needs chicken, tortillas, lime.",
         {"title": "Chicken tacos", "servings": 2, "vegetarian": False,
          "ingredients": ["chicken", "tortillas", "lime"]}, schema_rf("Recipe", recipe))
    address = obj({"street": st(), "apartment": {"type": ["string", "null"]}, "city": st(), "zip": st()},
                  additional=False)
    jrec("schema", "Address: 221 Maple Avenue, Apt 4C, Springfield 62704",
         {"street": "221 Maple Avenue", "apartment": "4C", "city": "Springfield", "zip": "62704"},
         schema_rf("address", address, True))
    jrec("schema", "Address: 9 Harbour Road, Dunmore 4410 (no apartment number)",
         {"street": "9 Harbour Road", "apartment": None, "city": "Dunmore", "zip": "4410"},
         schema_rf("address", address, True))
    lang = obj({"language": enum("English", "French", "German", "Spanish", "Italian")})
    jrec("schema", "Which language is this? \"Wo ist der nächste Bahnhof?\"", {"language": "German"},
         schema_rf("language", lang))
    jrec("schema", "Detect the language: \"Il treno è in ritardo di dieci minuti.\"", {"language": "Italian"},
         schema_rf("language", lang))
    indicator = obj({"indicator": st(), "type": enum("ipv4", "domain", "md5", "sha256"),
                     "verdict": enum("malicious", "suspicious", "benign")}, additional=False)
    jrec("schema", "Analyst note: \"login-update.example is a confirmed phishing domain.\" Extract the indicator.",
         {"indicator": "login-update.example", "type": "domain", "verdict": "malicious"},
         schema_rf("indicator", indicator, True))
    jrec("schema", "Note from the SOC: 198.51.100.180 looks like an open proxy, not confirmed bad yet.",
         {"indicator": "198.51.100.180", "type": "ipv4", "verdict": "suspicious"}, schema_rf("indicator", indicator, True))
    flight = obj({"flight_number": st(), "origin": st(), "destination": st(), "delayed": boolean(),
                  "delay_minutes": integer()})
    jrec("schema", "\"KL 1234 Amsterdam to Oslo is running 45 minutes late.\"",
         {"flight_number": "KL 1234", "origin": "Amsterdam", "destination": "Oslo", "delayed": True,
          "delay_minutes": 45}, schema_rf("flight", flight))
    jrec("schema", "Flight IB 3170 from Madrid to Lisbon departed on time.",
         {"flight_number": "IB 3170", "origin": "Madrid", "destination": "Lisbon", "delayed": False,
          "delay_minutes": 0}, schema_rf("flight", flight))
    review = pyd("MovieReview", {"title": st(), "rating": integer(minimum=1, maximum=5), "recommend": boolean()})
    jrec("schema", "\"Glass Harbour\" was dull and far too long. One star, skip it.",
         {"title": "Glass Harbour", "rating": 1, "recommend": False}, schema_rf("MovieReview", review))
    jrec("schema", "Review: Moonfall Express is a joy, 5/5, take the whole family.",
         {"title": "Moonfall Express", "rating": 5, "recommend": True}, schema_rf("MovieReview", review))
    meeting = obj({"day": enum("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"), "time": st(),
                   "participants": arr(st())})
    jrec("schema", "Email: \"Can Aiko, Ben and I sync on Wednesday at 10:30?\" - sent by Carla.",
         {"day": "Wednesday", "time": "10:30", "participants": ["Aiko", "Ben", "Carla"]},
         schema_rf("meeting", meeting))
    spam = obj({"is_spam": boolean(), "label": enum("spam", "ham")}, additional=False)
    jrec("schema", "\"Congratulations!!! You won a free cruise, click here to claim now\"",
         {"is_spam": True, "label": "spam"}, schema_rf("spam_check", spam, True))
    jrec("schema", "\"Hi Dana, the slides for tomorrow are attached. Thanks, Rob\"",
         {"is_spam": False, "label": "ham"}, schema_rf("spam_check", spam, True))
    measure = obj({"value": num(), "unit": enum("km", "m", "cm", "kg", "g", "l")})
    jrec("schema", "How much flour? \"Add 250 g of flour.\"", {"value": 250, "unit": "g"}, schema_rf("measure", measure))
    jrec("schema", "Extract the distance from \"The trail is 12.5 kilometres long.\"", {"value": 12.5, "unit": "km"},
         schema_rf("measure", measure))
    job = obj({"title": st(), "remote": boolean(), "salary_min": integer(), "salary_max": integer()},
              additional=False)
    jrec("schema", "Job ad: Backend Developer, fully remote, 55,000-70,000 EUR per year.",
         {"title": "Backend Developer", "remote": True, "salary_min": 55000, "salary_max": 70000},
         schema_rf("job_posting", job, True))
    jrec("schema", "Hiring: on-site Lab Technician in Basel, pay 48k to 52k.",
         {"title": "Lab Technician", "remote": False, "salary_min": 48000, "salary_max": 52000},
         schema_rf("job_posting", job, True))
    weather = obj({"city": st(), "temp_c": num(), "condition": enum("sunny", "cloudy", "rain", "snow")})
    jrec("schema", "Report: heavy showers in Bergen this morning, 9 degrees Celsius.",
         {"city": "Bergen", "temp_c": 9, "condition": "rain"}, schema_rf("weather_report", weather))
    jrec("schema", "Weather note: Marrakesh, clear skies, 31 °C.", {"city": "Marrakesh", "temp_c": 31,
                                                                    "condition": "sunny"},
         schema_rf("weather_report", weather))
    priority = pyd("Task", {"task": st(), "priority": enum("low", "medium", "high"), "done": boolean()})
    jrec("schema", "To-do: renew the TLS certificate before it expires tonight (not done yet).",
         {"task": "renew the TLS certificate", "priority": "high", "done": False}, schema_rf("Task", priority))
    jrec("schema", "Task finished: watered the office plants, nothing urgent.",
         {"task": "water the office plants", "priority": "low", "done": True}, schema_rf("Task", priority))
    contact = obj({"name": st(), "phone": st(), "email": {"type": ["string", "null"]}}, additional=False)
    jrec("schema", "Contact: Luca Romano, tel. +39 06 5550 1234. No email given.",
         {"name": "Luca Romano", "phone": "+39 06 5550 1234", "email": None}, schema_rf("contact", contact, True))
    answer = obj({"answer": st(), "confidence": enum("low", "medium", "high")})
    jrec("schema", "What is the largest planet in the solar system?", {"answer": "Jupiter", "confidence": "high"},
         schema_rf("qa", answer), system="Answer in the requested JSON format.")

    # ---- JSON asked for in plain words, no response_format ----------------------------------------
    jrec("plain", "Give me JSON with the keys name and country for this: \"Aroha Ngata from New Zealand\". "
         "Only the JSON, please.", {"name": "Aroha Ngata", "country": "New Zealand"})
    jrec("plain", "Can you output a JSON object listing the weekdays that start with T, under the key days?",
         {"days": ["Tuesday", "Thursday"]})
    jrec("plain", "Turn \"3 apples, 2 pears\" into JSON mapping fruit to count. Nothing else.",
         {"apples": 3, "pears": 2})
    jrec("plain", "I need this as a JSON object: temperature 21.5, humidity 40 percent, fan on.",
         {"temperature": 21.5, "humidity": 40, "fan_on": True})
    jrec("plain", "Write the log line \"INFO 12:00:01 cache warmed in 850 ms\" as JSON (level, time, "
         "event, duration_ms). Output only JSON.",
         {"level": "INFO", "time": "12:00:01", "event": "cache warmed", "duration_ms": 850})
    jrec("plain", "Respond with JSON only: is a tomato botanically a fruit? Use key fruit.", {"fruit": True})
    jrec("plain", "Please format Yusuf Demir's order (2 notebooks, 1 pen) as JSON with customer and items.",
         {"customer": "Yusuf Demir", "items": [{"item": "notebook", "qty": 2}, {"item": "pen", "qty": 1}]})
    jrec("plain", "Reply with a JSON object {\"city\": ..., \"population_millions\": ...} for Tokyo's "
         "metropolitan area, roughly.", {"city": "Tokyo", "population_millions": 37})
    jrec("plain", "As JSON, what are the start and end of the range 10 to 20?", {"start": 10, "end": 20})
    jrec("plain", "JSON only: the three states of matter everyone learns at school, key states.",
         {"states": ["solid", "liquid", "gas"]})
    jrec("plain", "Put this in JSON: review by Marta, 2 out of 5, \"too salty\".",
         {"reviewer": "Marta", "rating": 2, "comment": "too salty"},
         system="You are a helpful assistant.")
    jrec("plain", "Convert to JSON: the meeting with Dr. Osei is on 2025-10-02 at 09:15.",
         {"with": "Dr. Osei", "date": "2025-10-02", "time": "09:15"})
    # a follow-up turn that depends on the earlier JSON answer
    jrec("plain", "Now add a key city with the value Nairobi.",
         {"name": "Wanjiru Kamau", "age": 27, "city": "Nairobi"},
         history=[U("Make a JSON object for Wanjiru Kamau, 27 years old."),
                  A(dumps({"name": "Wanjiru Kamau", "age": 27}))])
    jrec("extract", "Same thing for this one: \"Pedro Alves is 61 and lives in Braga.\"",
         {"name": "Pedro Alves", "age": 61, "city": "Braga"}, O,
         history=[U("Extract name, age and city as JSON: \"Lea Vogt, 45, lives in Graz.\""),
                  A(dumps({"name": "Lea Vogt", "age": 45, "city": "Graz"}))])


# ============================================================================ tools

def fn(name: str, description: str, props: dict, required=None) -> dict:
    params = {"type": "object", "properties": props, "required": list(props) if required is None else required}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": params}}


def p(kind: str, description: str | None = None, **kw) -> dict:
    d = {"type": kind}
    if description:
        d["description"] = description
    d.update(kw)
    return d


def penum(values, description: str | None = None) -> dict:
    return p("string", description, enum=list(values))


TOOLS = {
    # weather
    "weather": fn("get_weather", "Get the current weather for a city.",
                  {"city": p("string"), "unit": penum(["celsius", "fahrenheit"])}, ["city"]),
    "forecast": fn("get_forecast", "Daily weather forecast for a location.",
                   {"location": p("string"), "days": p("integer", "1 to 7")}, ["location", "days"]),
    # currency
    "fx": fn("convert_currency", "Convert an amount between currencies.",
             {"amount": p("number"), "from_currency": p("string", "ISO code, e.g. EUR"),
              "to_currency": p("string")}),
    "rate": fn("get_exchange_rate", "Current exchange rate between two currencies.",
               {"base": p("string", "ISO code"), "quote": p("string")}),
    # calendar
    "event": fn("create_calendar_event", "Add an event to the user's calendar.",
                {"title": p("string"), "date": p("string", "YYYY-MM-DD"), "time": p("string", "HH:MM"),
                 "duration_minutes": p("integer")}, ["title", "date", "time"]),
    "events": fn("list_events", "List the user's calendar events on a date.", {"date": p("string", "YYYY-MM-DD")}),
    # email
    "email": fn("send_email", "Send an email.", {"to": p("string"), "subject": p("string"), "body": p("string")}),
    # stocks
    "stock": fn("get_stock_price", "Latest price of a stock.", {"symbol": p("string", "Ticker symbol")}),
    # units
    "units": fn("convert_units", "Convert a value between units of measure.",
                {"value": p("number"), "from_unit": p("string"), "to_unit": p("string")}),
    # flights
    "flight": fn("get_flight_status", "Status of a flight.",
                 {"flight_number": p("string"), "date": p("string", "YYYY-MM-DD")},
                 ["flight_number"]),
    # translation
    "translate": fn("translate_text", "Translate text into another language.",
                    {"text": p("string"), "target_language": p("string"),
                     "source_language": p("string")}, ["text", "target_language"]),
    # time zones
    "time": fn("get_local_time", "Current local time in a time zone.",
               {"timezone": p("string", "IANA name")}),
    "tzconv": fn("convert_time", "Convert a clock time from one time zone to another.",
                 {"time": p("string", "HH:MM"), "from_timezone": p("string", "IANA name"),
                  "to_timezone": p("string")}),
    # recipes
    "recipe": fn("search_recipes", "Search recipes.",
                 {"query": p("string"), "diet": penum(["any", "vegetarian", "vegan", "gluten_free"]),
                  "max_minutes": p("integer")}, ["query"]),
    # packages
    "track": fn("track_package", "Track a parcel.",
                {"tracking_number": p("string"), "carrier": penum(["dhl", "ups", "fedex", "usps", "postnl"])},
                ["tracking_number"]),
    # dictionary
    "define": fn("define_word", "Look up a word in the dictionary.",
                 {"word": p("string"), "language": p("string")}, ["word"]),
    # security
    "iprep": fn("check_ip_reputation", "Reputation score of an IP address.",
                {"ip": p("string")}),
    "threatdb": fn("search_database", "Search the threat database for an indicator and return its verdict.",
                   {"indicator": p("string", "The IPv4 address, file hash (MD5 or SHA-256) or domain name to look up.",
                                   maxLength=64, pattern="^[A-Za-z0-9.-]{1,64}$")}),
    "sql": fn("query_threat_db", "Run a read-only SQL SELECT on the threat database.",
              {"sql": p("string", "SELECT on indicators(type, value, verdict, first_seen, source, tags)")}),
    "block": fn("block_indicator", "Block an indicator for a number of hours.",
                {"indicator": p("string"), "hours": p("integer", "1 to 168"),
                 "reason": penum(["malicious", "suspicious"]), "notify": p("boolean", "Page the on-call analyst")},
                ["indicator", "hours", "reason"]),
    # support
    "ticket": fn("create_support_ticket", "Open a support ticket.",
                 {"subject": p("string"), "description": p("string"),
                  "priority": penum(["low", "normal", "high", "urgent"])}, ["subject", "description"]),
    # arithmetic
    "calc": fn("calculator", "Evaluate an arithmetic expression.", {"expression": p("string")}),
    "add": fn("add", "Add two numbers.", {"a": p("number"), "b": p("number")}),
    "mul": fn("multiply", "Multiply two numbers.", {"a": p("number"), "b": p("number")}),
    # docs
    "docs": fn("search_docs", "Search the product documentation.",
               {"query": p("string"), "limit": p("integer")}, ["query"]),
}
# the search_database declaration is exactly what helpers.tools.tool_from_function generates in notebook 03
TOOLS["threatdb"]["function"]["parameters"]["additionalProperties"] = False

NAME_TO_KEY = {t["function"]["name"]: k for k, t in TOOLS.items()}


def tools_for(keys: str) -> list[dict]:
    return [TOOLS[k.strip()] for k in keys.split(",")]


def trec(sub: str, keys: str, msgs: list, choice=None, system: str | None = None) -> None:
    rec = {"kind": "tool", "messages": ([SYS(system)] if system else []) + msgs, "tools": tools_for(keys),
           "tool_choice": choice or "auto"}
    RECORDS.append((sub, rec))


def named(name: str) -> dict:
    return {"type": "function", "function": {"name": name}}


def one(keys, user, name, args, system=None, choice=None, sub="a_call"):
    """(a) / (d): a request that fits a tool, answered by the call."""
    trec(sub, keys, [U(user), CALL((name, args))], choice, system)


def no(keys, user, answer, system=None):
    """(b): nothing to call under tool_choice auto: a short text answer."""
    trec("b_no_call", keys, [U(user), A(answer)], None, system)


def rt(keys, user, name, args, result, answer, system=None, sub="c_round_trip"):
    """(c): call, tool result, final answer that uses the result."""
    c = CALL((name, args))
    trec(sub, keys, [U(user), c, *RESULTS(c, result), A(answer)], None, system)


# ---- the threat database of notebook 03, read with the same parameterised query as helpers.threatdb
_DB = None


def _db():
    global _DB
    if _DB is None:
        _DB = sqlite3.connect(f"file:{THREAT_DB}?mode=ro", uri=True)
    return _DB


def search_database(indicator: str) -> dict:
    """What notebook 03's search_database tool returns for `indicator`."""
    row = _db().execute("SELECT type, value, verdict, first_seen, source, tags FROM indicators WHERE value = ?",
                        (indicator.strip().lower(),)).fetchone()
    if not row:
        return {"indicator": indicator, "found": False, "verdict": "unknown"}
    keys = ("type", "value", "verdict", "first_seen", "source", "tags")
    out = {"indicator": indicator, "found": True, **dict(zip(keys, row))}
    out["tags"] = row[5].split(",") if row[5] else []
    return out


def run_sql(sql: str) -> dict:
    cur = _db().execute(sql)
    return {"columns": [d[0] for d in cur.description], "rows": [list(r) for r in cur.fetchall()]}


def db_rt(keys, user, indicator, answer, system=None, sub="c_round_trip", must=()):
    """A search_database round trip whose tool result is read from the real database."""
    result = search_database(indicator)
    for word in (result["verdict"], *must):
        assert word.lower() in answer.lower(), (answer, word)
    rt(keys, user, "search_database", {"indicator": indicator}, result, answer, system, sub)


def sql_rt(keys, user, sql, answer, system=None, sub="c_round_trip", must=()):
    result = run_sql(sql)
    for word in must:
        assert str(word) in answer, (answer, word, result)
    rt(keys, user, "query_threat_db", {"sql": sql}, result, answer, system, sub)


def conv(sub: str, keys: str, steps: list, choice=None, system: str | None = None) -> None:
    """A multi-step conversation: ("u", text), ("a", text), ("c", name, args), ("r", result for the last call)."""
    msgs, last_call = [], None
    for step in steps:
        if step[0] == "u":
            msgs.append(U(step[1]))
        elif step[0] == "a":
            msgs.append(A(step[1]))
        elif step[0] == "c":
            last_call = CALL((step[1], step[2]))
            msgs.append(last_call)
        elif step[0] == "r":
            msgs.extend(RESULTS(last_call, step[1]))
        else:
            raise ValueError(step)
    trec(sub, keys, msgs, choice, system)


SEC = "You are a security analyst's assistant. Look indicators up in the threat database."


def build_tools() -> None:
    # ---- (a) one request, the right tool, arguments exactly from the request -------------------------
    one("weather,fx,email", "What's the weather like in Porto right now?", "get_weather", {"city": "Porto"})
    one("fx,stock,units", "How much is 250 euros in Japanese yen?", "convert_currency",
        {"amount": 250, "from_currency": "EUR", "to_currency": "JPY"})
    one("event,email,weather", "Put 'Dentist' in my calendar on 2025-07-03 at 08:45 for 30 minutes.",
        "create_calendar_event", {"title": "Dentist", "date": "2025-07-03", "time": "08:45", "duration_minutes": 30})
    one("email,translate", "Email sam.okafor@example.com with the subject 'Slides' and say: The deck is in the "
        "shared folder.", "send_email", {"to": "sam.okafor@example.com", "subject": "Slides",
                                         "body": "The deck is in the shared folder."})
    one("stock,weather,define", "Price of MSFT?", "get_stock_price", {"symbol": "MSFT"})
    one("units,fx,calc", "Convert 5 miles to kilometres.", "convert_units",
        {"value": 5, "from_unit": "miles", "to_unit": "kilometres"})
    one("flight,time,weather", "Is flight BA2490 on time on 2025-08-19?", "get_flight_status",
        {"flight_number": "BA2490", "date": "2025-08-19"})
    one("translate,define,docs", "Translate 'Where is the train station?' into Portuguese.", "translate_text",
        {"text": "Where is the train station?", "target_language": "Portuguese"})
    one("time,weather", "What time is it in Asia/Kolkata now?", "get_local_time", {"timezone": "Asia/Kolkata"})
    one("recipe,units,fx", "Find me a vegan curry I can make in under 30 minutes.", "search_recipes",
        {"query": "curry", "diet": "vegan", "max_minutes": 30})
    one("track,email,ticket", "Where is my DHL parcel JD014600003828?", "track_package",
        {"tracking_number": "JD014600003828", "carrier": "dhl"})
    one("define,translate", "Define the word 'ephemeral'.", "define_word", {"word": "ephemeral"})
    one("iprep,email,calc", "Check the reputation of 198.51.100.77.", "check_ip_reputation", {"ip": "198.51.100.77"})
    one("ticket,email,docs", "Open a ticket: the VPN client crashes on startup since the last update. "
        "High priority.", "create_support_ticket",
        {"subject": "VPN client crashes on startup",
         "description": "The VPN client crashes on startup since the last update.", "priority": "high"})
    one("threatdb", "Check IP 203.0.113.42 in the threat database.", "search_database",
        {"indicator": "203.0.113.42"}, system=SEC)
    one("sql,weather,fx", "How many indicators in the threat DB are marked malicious?", "query_threat_db",
        {"sql": "SELECT COUNT(*) FROM indicators WHERE verdict = 'malicious'"})
    one("calc,fx,weather", "What's (17.5 + 4.25) * 3?", "calculator", {"expression": "(17.5 + 4.25) * 3"})
    one("add,mul", "Add 1284 and 3967.", "add", {"a": 1284, "b": 3967})
    one("add,mul,weather", "Multiply 46 by 0.15.", "multiply", {"a": 46, "b": 0.15})
    one("docs,ticket,email", "Search the docs for how to rotate an API key.", "search_docs",
        {"query": "how to rotate an API key"})
    one("forecast,fx,track", "Give me the 5-day forecast for Reykjavik.", "get_forecast",
        {"location": "Reykjavik", "days": 5})
    one("rate,stock,time", "What's the current USD to CHF rate?", "get_exchange_rate", {"base": "USD", "quote": "CHF"})
    one("events,event,email", "What do I have on 2025-05-12?", "list_events", {"date": "2025-05-12"})
    one("tzconv,time,event", "If it's 15:00 in Europe/Berlin, what time is it in America/Chicago?", "convert_time",
        {"time": "15:00", "from_timezone": "Europe/Berlin", "to_timezone": "America/Chicago"})
    one("weather,forecast,units", "Current weather in Denver in fahrenheit, please.", "get_weather",
        {"city": "Denver", "unit": "fahrenheit"})
    one("threatdb,email,calc", "Is login-update.example in the threat database?", "search_database",
        {"indicator": "login-update.example"})
    one("threatdb,weather", "Look up this hash: 3630a1019e8f2391cf61df7ccfb52bec", "search_database",
        {"indicator": "3630a1019e8f2391cf61df7ccfb52bec"}, system=SEC)
    one("block,threatdb,email", "Block 198.51.100.99 for 48 hours, it's malicious.", "block_indicator",
        {"indicator": "198.51.100.99", "hours": 48, "reason": "malicious"}, system=SEC)
    one("track,ticket", "Track 1Z999AA10123456784 with UPS.", "track_package",
        {"tracking_number": "1Z999AA10123456784", "carrier": "ups"})
    one("translate,email,weather", "How do you say 'good luck with the exam' in Japanese?", "translate_text",
        {"text": "good luck with the exam", "target_language": "Japanese"})
    one("fx,calc", "Convert 1,500 Swedish kronor to euros.", "convert_currency",
        {"amount": 1500, "from_currency": "SEK", "to_currency": "EUR"})
    one("units,recipe", "How many grams is 6 ounces?", "convert_units",
        {"value": 6, "from_unit": "ounces", "to_unit": "grams"})
    one("define,translate,docs", "What does 'serendipity' mean in English?", "define_word",
        {"word": "serendipity", "language": "English"})
    one("email,event", "Send Pablo a note at pablo@ruiz.example, subject 'Lunch', body 'Can we move lunch to "
        "13:00?'", "send_email", {"to": "pablo@ruiz.example", "subject": "Lunch", "body": "Can we move lunch to 13:00?"},
        system="You are Nadia's scheduling assistant.")
    one("stock,fx,rate", "Where is Tesla stock trading? Ticker TSLA.", "get_stock_price", {"symbol": "TSLA"})
    one("sql,threatdb", "List the domains in the threat database first seen in 2026.", "query_threat_db",
        {"sql": "SELECT value FROM indicators WHERE type = 'domain' AND first_seen LIKE '2026-%'"})
    one("threatdb,sql", "What's the verdict on update-check.test?", "search_database",
        {"indicator": "update-check.test"})
    one("recipe,weather,stock", "Any gluten-free pancake recipes?", "search_recipes",
        {"query": "pancakes", "diet": "gluten_free"})
    one("flight", "Status of LH 401?", "get_flight_status", {"flight_number": "LH 401"})
    one("ticket,docs,email", "Please log a low-priority ticket: typo on the pricing page ('anual' instead of "
        "'annual').", "create_support_ticket",
        {"subject": "Typo on the pricing page", "description": "The pricing page says 'anual' instead of 'annual'.",
         "priority": "low"})
    one("time,weather", "Current time in Australia/Sydney?", "get_local_time", {"timezone": "Australia/Sydney"})
    one("calc,units,stock", "Calculate 1024 / 16 + 7.", "calculator", {"expression": "1024 / 16 + 7"})
    one("docs", "Find docs about webhook retries, top 3 results only.", "search_docs",
        {"query": "webhook retries", "limit": 3})
    one("weather,email,stock", "Is it raining in Hanoi?", "get_weather", {"city": "Hanoi"})
    one("mul,add", "What is 23 times 19?", "multiply", {"a": 23, "b": 19})
    one("event,events", "Schedule 'Team retro' on 2025-06-27 at 16:00.", "create_calendar_event",
        {"title": "Team retro", "date": "2025-06-27", "time": "16:00"},
        system="You manage the user's calendar. Use the tools to act.")

    # ---- (b) nothing to call: a short text answer ------------------------------------------------
    no("weather,fx,email", "Hi! How are you today?", "I'm doing well, thanks! How can I help you?")
    no("stock,calc", "What is the capital of Portugal?", "Lisbon.")
    no("weather,forecast", "Why is the sky blue?",
       "Sunlight scatters off air molecules, and blue light scatters the most, so the sky looks blue.")
    no("fx,stock,units", "Can you book me a hotel in Rome for next weekend?",
       "I can't book hotels. I can convert currencies, check stock prices and convert units.")
    no("email,event", "Thanks, that's all!", "You're welcome! Have a great day.")
    no("translate,define", "Write a haiku about autumn.",
       "Crisp leaves drift and fall,\ngolden light on quiet paths,\nthe year exhales slow.")
    no("weather,fx,stock", "What's the weather?", "Which city should I check?")
    no("track,ticket", "Track my package please.", "Sure. What is the tracking number?")
    no("calc,add", "Who painted the Mona Lisa?", "Leonardo da Vinci.")
    no("threatdb,sql", "What's the difference between an MD5 and a SHA-256 hash?",
       "MD5 gives a 128-bit digest and is broken for security use; SHA-256 gives a 256-bit digest and is "
       "still considered secure.", system=SEC)
    no("threatdb", "Is 192.168.1.1 a private address?",
       "Yes. 192.168.1.1 is in 192.168.0.0/16, a private (RFC 1918) range that is not routed on the internet.")
    no("flight,time", "Recommend a good book for a long flight.",
       "Try 'The Martian' by Andy Weir: fast-paced, funny and hard to put down.")
    no("recipe,units", "What's the difference between baking soda and baking powder?",
       "Baking soda is pure sodium bicarbonate and needs an acid to work; baking powder already contains the acid.")
    no("email,ticket,docs", "Tell me a joke.", "Why did the developer go broke? He used up all his cache.")
    no("stock,fx", "Should I put all my savings into one stock?",
       "Usually not: one stock is risky. Spreading money over many investments lowers that risk.")
    no("weather,time,translate", "What does tool_choice auto mean?",
       "With \"auto\" the model decides for itself whether to call a tool or to answer in text.")
    no("calc,units", "How many continents are there?",
       "Seven: Africa, Antarctica, Asia, Australia, Europe, North America and South America.")
    no("define,translate,weather", "Order me a pizza.",
       "I can't place orders. I can look up words, translate text and check the weather.")
    no("event,events,email", "Good morning!", "Good morning! What can I do for you?")
    no("fx,rate", "Convert some money for me.", "Happy to. How much, and from which currency to which?")
    no("iprep,threatdb", "What is a botnet?",
       "A network of compromised machines that an attacker controls remotely, often used for spam or DDoS attacks.")
    no("translate,define", "What's the square root of 144?", "12.")
    no("stock,weather", "Who are you?", "I'm an assistant that can check stock prices and the weather for you.")
    no("flight,track,weather", "Can you cancel my flight?",
       "I can't cancel flights; I can only check a flight's status. Please contact your airline.")
    no("docs,ticket", "Explain what a REST API is in one sentence.",
       "A REST API lets programs exchange data over HTTP, using methods like GET and POST on resources named by URLs.")
    no("sql,threatdb", "Delete all the benign rows from the threat database.",
       "I can't do that: the threat database is read-only and my tools can only query it.", system=SEC)
    no("email", "Send an email.", "Sure. Who should it go to, and what are the subject and message?")
    no("units,calc,fx", "Is a tomato a fruit or a vegetable?",
       "Botanically it's a fruit; in cooking it's usually treated as a vegetable.")
    no("weather,forecast,time", "What causes thunder?",
       "Lightning heats the air so fast that it expands explosively; that shock wave is the thunder.")
    no("recipe,translate,stock", "I'm bored.",
       "How about cooking something new? Tell me what you like and I can search for a recipe.")
    no("calc,add,mul", "Thanks for the help with the maths!", "Any time! Let me know if you need anything else.")
    no("time,tzconv", "How many time zones does Russia have?", "Eleven.")
    no("event,weather", "What year did the Berlin Wall fall?", "1989.")
    no("define,docs", "Can you play some music?",
       "I can't play music. I can look up word definitions and search the documentation.")
    no("iprep,email,calc", "Any tips for safer passwords?",
       "Use a long, unique password for every site, keep them in a password manager and turn on two-factor login.")
    no("stock", "What does IPO stand for?", "Initial public offering: a company's first sale of shares to the public.")
    no("translate", "Which languages can you work with?",
       "I can translate between many languages with my translation tool. Give me the text and the target language.")
    no("ticket,email", "My screen keeps flickering. Any quick fixes?",
       "Check the cable, update the graphics driver and try another refresh rate. If it persists, I can open a "
       "support ticket.")
    no("weather,fx,stock,flight", "What's 2 + 2?", "4.")
    no("docs,calc", "What is JSON?",
       "JSON is a lightweight text format for data: objects, arrays, strings, numbers, booleans and null.")
    no("weather,email,event", "Never mind, I'll do it later.", "No problem. Just ask when you're ready.")
    no("threatdb,block", "What does a tor-exit tag mean on an IP?",
       "The IP is a Tor exit node: its traffic can come from any anonymous Tor user.")
    no("add,mul,units", "Who was the first person to walk on the Moon?", "Neil Armstrong, in 1969.")

    # ---- (c) round trips: call, tool result, answer from the result -----------------------------------
    rt("weather,fx,email", "What's the weather in Lyon?", "get_weather", {"city": "Lyon"},
       {"city": "Lyon", "temp_c": 14, "condition": "cloudy", "humidity": 72}, "It's 14 °C and cloudy in Lyon.")
    rt("fx,stock", "Convert 120 USD to EUR.", "convert_currency",
       {"amount": 120, "from_currency": "USD", "to_currency": "EUR"},
       {"amount": 120, "from": "USD", "to": "EUR", "result": 110.4, "rate": 0.92},
       "120 USD is 110.40 EUR (rate 0.92).")
    rt("stock,weather,define", "How is NVDA doing today?", "get_stock_price", {"symbol": "NVDA"},
       {"symbol": "NVDA", "price": 121.44, "currency": "USD", "change_pct": -1.2},
       "NVDA is at 121.44 USD, down 1.2% today.")
    rt("units,calc", "How many feet is 3.2 metres?", "convert_units",
       {"value": 3.2, "from_unit": "metres", "to_unit": "feet"}, {"value": 10.5, "unit": "feet"},
       "3.2 metres is about 10.5 feet.")
    rt("flight,time", "Is AF1234 delayed?", "get_flight_status", {"flight_number": "AF1234"},
       {"flight": "AF1234", "status": "delayed", "scheduled": "13:30", "estimated": "14:05", "gate": "K41"},
       "Yes. AF1234 was scheduled for 13:30 and is now expected at 14:05, from gate K41.")
    rt("translate,email", "Translate 'See you tomorrow' into German.", "translate_text",
       {"text": "See you tomorrow", "target_language": "German"},
       {"translation": "Bis morgen", "source_language": "en"}, "In German: \"Bis morgen\".")
    rt("time,weather", "What time is it in Tokyo?", "get_local_time", {"timezone": "Asia/Tokyo"},
       {"timezone": "Asia/Tokyo", "local_time": "2025-03-04T21:17:00+09:00"}, "It's 21:17 in Tokyo.")
    rt("recipe,units", "Find a vegetarian lasagna recipe.", "search_recipes",
       {"query": "lasagna", "diet": "vegetarian"},
       {"results": [{"title": "Spinach ricotta lasagna", "minutes": 50},
                    {"title": "Roasted vegetable lasagna", "minutes": 65}]},
       "Two options: Spinach ricotta lasagna (50 min) and Roasted vegetable lasagna (65 min).")
    rt("track,ticket", "Where's my parcel 9400111899223197428490? It's USPS.", "track_package",
       {"tracking_number": "9400111899223197428490", "carrier": "usps"},
       {"status": "out for delivery", "location": "Columbus, OH", "eta": "today by 20:00"},
       "It's out for delivery in Columbus, OH and should arrive today by 20:00.")
    rt("define,translate", "What does 'laconic' mean?", "define_word", {"word": "laconic"},
       {"word": "laconic", "part_of_speech": "adjective", "definition": "using very few words"},
       "'Laconic' is an adjective: using very few words.")
    rt("iprep,email", "Check 203.0.113.55's reputation.", "check_ip_reputation", {"ip": "203.0.113.55"},
       {"ip": "203.0.113.55", "score": 87, "category": "scanner", "reports": 142},
       "203.0.113.55 is high risk: score 87, categorised as a scanner, with 142 reports.")
    rt("ticket,docs", "Create an urgent ticket: the checkout page returns error 502 for all users.",
       "create_support_ticket", {"subject": "Checkout page returns 502",
                                 "description": "The checkout page returns error 502 for all users.",
                                 "priority": "urgent"},
       {"ticket_id": "SUP-4821", "status": "open"}, "Done: ticket SUP-4821 is open with urgent priority.")
    db_rt("threatdb", "Check IP 198.51.100.23 against the threat database.", "198.51.100.23",
          "198.51.100.23 is malicious: a c2 address first seen 2026-01-17 by larkspur-sandbox.", system=SEC)
    db_rt("threatdb,weather,email", "Is invoice-portal.example safe?", "invoice-portal.example",
          "No. invoice-portal.example is malicious (phishing, bec), first seen 2026-08-30 in a customer report.")
    db_rt("threatdb", "What do we know about 192.0.2.33?", "192.0.2.33",
          "192.0.2.33 is benign: a partner VPN address, first seen 2025-12-01 (analyst-report).")
    db_rt("threatdb,calc", "Look up 10.0.0.5 in the threat DB.", "10.0.0.5",
          "10.0.0.5 is not in the threat database, so its verdict is unknown.")
    db_rt("threatdb,translate", "Verdict for hash 852029d0acd1772a8e8a2d2441af97a8?",
          "852029d0acd1772a8e8a2d2441af97a8",
          "That MD5 is suspicious (tagged packed), first seen 2025-11-11 by larkspur-sandbox.")
    db_rt("threatdb", "Is files.example.net flagged?", "files.example.net",
          "files.example.net is suspicious (file-sharing), reported by partner-feed on 2026-04-27.", system=SEC)
    db_rt("threatdb,email", "Check the domain cdn-fast.test.", "cdn-fast.test",
          "cdn-fast.test is benign: a CDN domain, first seen 2025-10-20.")
    sql_rt("sql,weather", "How many malicious domains are in the threat database?",
           "SELECT COUNT(*) FROM indicators WHERE type = 'domain' AND verdict = 'malicious'",
           "There are 5 malicious domains.", must=[5])
    sql_rt("sql,email", "Which indicators are tagged phishing?",
           "SELECT value FROM indicators WHERE tags LIKE '%phishing%'",
           "Four: 203.0.113.201, login-update.example, invoice-portal.example and wallet-verify.invalid.",
           must=["203.0.113.201", "wallet-verify.invalid"])
    sql_rt("sql", "Count the indicators per source.", "SELECT source, COUNT(*) AS n FROM indicators GROUP BY source",
           "analyst-report 13, customer-report 6, larkspur-honeypot 6, larkspur-sandbox 10, partner-feed 10.",
           must=[13, 6, 10], system=SEC)
    sql_rt("sql,threatdb", "What's the most recent malicious indicator?",
           "SELECT value, first_seen FROM indicators WHERE verdict = 'malicious' ORDER BY first_seen DESC LIMIT 1",
           "wallet-verify.invalid, first seen 2026-10-31.", must=["2026-10-31"])
    sql_rt("sql,calc", "How many suspicious IPv4 addresses do we have?",
           "SELECT COUNT(*) FROM indicators WHERE type = 'ipv4' AND verdict = 'suspicious'",
           "4 suspicious IPv4 addresses.", must=[4])
    rt("calc,fx", "What's 18% of 2,450?", "calculator", {"expression": "2450 * 0.18"}, {"result": 441},
       "18% of 2,450 is 441.")
    rt("add,mul", "Add 7.8 and 15.65", "add", {"a": 7.8, "b": 15.65}, {"result": 23.45}, "7.8 + 15.65 = 23.45.")
    rt("mul,add,weather", "What's 125 times 8?", "multiply", {"a": 125, "b": 8}, {"result": 1000}, "125 × 8 = 1000.")
    rt("docs,ticket", "How do I reset my 2FA? Check the docs.", "search_docs", {"query": "reset 2FA"},
       {"results": [{"title": "Resetting two-factor authentication",
                     "snippet": "Go to Settings > Security and choose Reset 2FA; you need a backup code."}]},
       "Go to Settings > Security and choose Reset 2FA. You'll need a backup code.")
    rt("forecast,fx", "Forecast for Nairobi for the next 3 days?", "get_forecast", {"location": "Nairobi", "days": 3},
       {"days": [{"day": "Mon", "high_c": 26, "rain": "low"}, {"day": "Tue", "high_c": 24, "rain": "high"},
                 {"day": "Wed", "high_c": 25, "rain": "medium"}]},
       "Mon 26 °C, mostly dry; Tue 24 °C, rain likely; Wed 25 °C, some rain possible.")
    rt("rate,stock", "What's the GBP/USD rate?", "get_exchange_rate", {"base": "GBP", "quote": "USD"},
       {"base": "GBP", "quote": "USD", "rate": 1.27, "as_of": "2025-02-14"}, "1 GBP = 1.27 USD (as of 2025-02-14).")
    rt("events,email", "What's on my calendar on 2025-09-09?", "list_events", {"date": "2025-09-09"},
       {"events": [{"title": "Standup", "time": "09:30"}, {"title": "Design review", "time": "14:00"}]},
       "You have Standup at 09:30 and Design review at 14:00.")
    rt("events,weather", "Anything planned on 2025-12-25?", "list_events", {"date": "2025-12-25"}, {"events": []},
       "Nothing: your calendar is empty that day.")
    rt("event,email", "Add 'Piano lesson' on 2025-04-02 at 17:00 for 45 minutes.", "create_calendar_event",
       {"title": "Piano lesson", "date": "2025-04-02", "time": "17:00", "duration_minutes": 45},
       {"status": "created", "event_id": "evt_5521"}, "Added: Piano lesson on 2025-04-02 at 17:00, 45 minutes.")
    rt("email,event", "Email ops@northwind.example, subject 'Backup done', body 'Nightly backup finished at 02:10.'",
       "send_email", {"to": "ops@northwind.example", "subject": "Backup done",
                      "body": "Nightly backup finished at 02:10."},
       {"status": "sent", "message_id": "m-99812"}, "Sent to ops@northwind.example.")
    rt("tzconv,time", "A meeting at 09:00 in America/New_York is what time in Europe/London?", "convert_time",
       {"time": "09:00", "from_timezone": "America/New_York", "to_timezone": "Europe/London"},
       {"time": "14:00", "timezone": "Europe/London"}, "09:00 in New York is 14:00 in London.")
    rt("weather,units", "Weather in Phoenix in fahrenheit?", "get_weather", {"city": "Phoenix", "unit": "fahrenheit"},
       {"city": "Phoenix", "temp": 104, "unit": "fahrenheit", "condition": "sunny"}, "It's 104 °F and sunny in Phoenix.")
    rt("weather,event,stock", "Is it snowing in Innsbruck?", "get_weather", {"city": "Innsbruck"},
       {"city": "Innsbruck", "temp_c": -3, "condition": "snow", "wind_kmh": 12},
       "Yes, it's snowing in Innsbruck, at -3 °C.")
    rt("fx,units", "How much is 10,000 JPY in USD?", "convert_currency",
       {"amount": 10000, "from_currency": "JPY", "to_currency": "USD"}, {"result": 66.8, "rate": 0.00668},
       "10,000 JPY is about 66.80 USD.")
    rt("stock,fx", "Price of SAP?", "get_stock_price", {"symbol": "SAP"},
       {"symbol": "SAP", "price": 232.1, "currency": "EUR", "change_pct": 0.8}, "SAP is at 232.10 EUR, up 0.8%.")
    rt("flight,weather", "Status of UA 857 on 2025-10-14?", "get_flight_status",
       {"flight_number": "UA 857", "date": "2025-10-14"}, {"status": "cancelled", "reason": "crew availability"},
       "UA 857 on 2025-10-14 is cancelled because of crew availability.")
    rt("translate", "Translate 'Merci pour votre aide' to English.", "translate_text",
       {"text": "Merci pour votre aide", "target_language": "English"},
       {"translation": "Thank you for your help", "source_language": "fr"}, "\"Thank you for your help.\"")
    rt("track,email", "Track 00340434161094042557 (PostNL).", "track_package",
       {"tracking_number": "00340434161094042557", "carrier": "postnl"},
       {"status": "delivered", "delivered_at": "2025-01-21 11:42", "signed_by": "M. de Vries"},
       "Delivered on 2025-01-21 at 11:42, signed for by M. de Vries.")
    rt("recipe,fx,time", "Dinner idea with salmon, 25 minutes max?", "search_recipes",
       {"query": "salmon", "max_minutes": 25}, {"results": [{"title": "Miso glazed salmon", "minutes": 20}]},
       "Try miso glazed salmon: ready in 20 minutes.")
    rt("define", "Define 'quorum'.", "define_word", {"word": "quorum"},
       {"word": "quorum", "definition": "the minimum number of members needed for a meeting to make valid decisions"},
       "A quorum is the minimum number of members a meeting needs to make valid decisions.")
    rt("docs,calc", "Search the docs for rate limits.", "search_docs", {"query": "rate limits"}, {"results": []},
       "The docs search found nothing about rate limits.")
    rt("iprep,ticket", "Is 192.0.2.200 safe to allow?", "check_ip_reputation", {"ip": "192.0.2.200"},
       {"ip": "192.0.2.200", "score": 3, "category": "clean", "reports": 0},
       "It looks safe: risk score 3, category clean, no reports.")
    rt("block,threatdb", "Block wallet-verify.invalid for a week as malicious.", "block_indicator",
       {"indicator": "wallet-verify.invalid", "hours": 168, "reason": "malicious"},
       "blocked wallet-verify.invalid for 168 h (malicious)",
       "Done: wallet-verify.invalid is blocked for 168 hours (one week).", system=SEC)
    rt("fx,stock", "Convert 50 XYZ to EUR.", "convert_currency",
       {"amount": 50, "from_currency": "XYZ", "to_currency": "EUR"}, {"error": "unknown currency code: XYZ"},
       "The conversion failed: XYZ is not a known currency code. Which currency did you mean?")
    rt("weather,time", "Weather in Atlantis?", "get_weather", {"city": "Atlantis"}, {"error": "city not found"},
       "I couldn't find a city called Atlantis. Could you check the name?")
    rt("units,weather", "What is 30 °C in Fahrenheit?", "convert_units",
       {"value": 30, "from_unit": "celsius", "to_unit": "fahrenheit"}, {"value": 86, "unit": "fahrenheit"},
       "30 °C is 86 °F.")

    # ---- (d) tool_choice "any" (a call is required) and a named tool_choice -------------------------
    def any_(keys, user, name, args, system=None):
        one(keys, user, name, args, system, "any", "d_any")

    def forced(keys, user, name, args, system=None):
        one(keys, user, name, args, system, named(name), "d_named")

    any_("threatdb", "Check these indicators in the threat database: 192.0.2.15, files.example.net and "
         "203.0.113.7.", "search_database", {"indicator": "192.0.2.15"}, system=SEC)
    any_("stock,fx", "Apple shares?", "get_stock_price", {"symbol": "AAPL"})
    any_("fx,units,calc", "I have 80 pounds sterling. How many dollars is that?", "convert_currency",
         {"amount": 80, "from_currency": "GBP", "to_currency": "USD"})
    any_("threatdb", "Anything on beacon.c2.test?", "search_database", {"indicator": "beacon.c2.test"}, system=SEC)
    any_("sql,threatdb", "How many SHA-256 hashes are stored?", "query_threat_db",
         {"sql": "SELECT COUNT(*) FROM indicators WHERE type = 'sha256'"})
    any_("translate,define", "'Gezellig' - what's that in English?", "translate_text",
         {"text": "Gezellig", "target_language": "English"})
    any_("units", "100 km/h in mph", "convert_units", {"value": 100, "from_unit": "km/h", "to_unit": "mph"})
    any_("email,ticket", "Tell Ravi (ravi@kumar.example) the build is green. Subject: Build status.", "send_email",
         {"to": "ravi@kumar.example", "subject": "Build status", "body": "The build is green."})
    any_("time,tzconv", "Hi there, what's the time in America/Sao_Paulo?", "get_local_time",
         {"timezone": "America/Sao_Paulo"})
    any_("flight,weather", "QF1 please", "get_flight_status", {"flight_number": "QF1"})
    any_("track", "JJD000390007845521", "track_package", {"tracking_number": "JJD000390007845521"})
    any_("calc,add,mul", "Hi! 3.5 * 4 + 12?", "calculator", {"expression": "3.5 * 4 + 12"})
    any_("recipe", "Something with chickpeas.", "search_recipes", {"query": "chickpeas"})
    any_("iprep,email", "Thoughts on 192.0.2.123?", "check_ip_reputation", {"ip": "192.0.2.123"})
    any_("define", "petrichor", "define_word", {"word": "petrichor"})
    any_("block,threatdb", "192.0.2.101 is a known mining pool. Get it blocked for 24 hours.", "block_indicator",
         {"indicator": "192.0.2.101", "hours": 24, "reason": "malicious"}, system=SEC)
    any_("events,event", "What's happening on 2025-11-03?", "list_events", {"date": "2025-11-03"})
    any_("rate,fx", "CAD to MXN exchange rate", "get_exchange_rate", {"base": "CAD", "quote": "MXN"})
    any_("forecast", "Will it rain in Cork this week?", "get_forecast", {"location": "Cork", "days": 7})
    any_("sql", "Show me every benign domain.", "query_threat_db",
         {"sql": "SELECT value FROM indicators WHERE type = 'domain' AND verdict = 'benign'"}, system=SEC)
    any_("weather,docs", "Is it windy in Wellington today?", "get_weather", {"city": "Wellington"})

    forced("weather,fx,stock", "Paris", "get_weather", {"city": "Paris"})
    forced("fx,rate", "EUR to USD, 300.", "convert_currency", {"amount": 300, "from_currency": "EUR", "to_currency": "USD"})
    forced("threatdb,email,calc", "Please check 198.51.100.64 for me.", "search_database",
           {"indicator": "198.51.100.64"}, system=SEC)
    forced("ticket,docs", "Our SSO login loops forever after the password change.", "create_support_ticket",
           {"subject": "SSO login loop", "description": "SSO login loops forever after the password change."})
    forced("docs,ticket", "Exports to CSV time out for big projects.", "search_docs",
           {"query": "CSV export times out for big projects"})
    forced("translate,email", "Bonjour tout le monde -> English", "translate_text",
           {"text": "Bonjour tout le monde", "target_language": "English"})
    forced("calc,add,mul", "What is 14 plus 27?", "add", {"a": 14, "b": 27})
    forced("calc,add,mul", "6 times 7.5", "multiply", {"a": 6, "b": 7.5})
    forced("add,calc", "Work out 19 * 3 - 8", "calculator", {"expression": "19 * 3 - 8"})
    forced("units,fx", "Convert 72 fahrenheit to celsius.", "convert_units",
           {"value": 72, "from_unit": "fahrenheit", "to_unit": "celsius"})
    forced("event,events,email", "Lunch with Mei on 2025-08-08 at 12:30", "create_calendar_event",
           {"title": "Lunch with Mei", "date": "2025-08-08", "time": "12:30"})
    forced("email,event", "Tell jo@pine.example: subject 'Keys', body 'Keys are at the front desk.'", "send_email",
           {"to": "jo@pine.example", "subject": "Keys", "body": "Keys are at the front desk."})
    forced("sql,threatdb", "Which IPs came from the larkspur-honeypot source?", "query_threat_db",
           {"sql": "SELECT value FROM indicators WHERE type = 'ipv4' AND source = 'larkspur-honeypot'"})
    forced("time,tzconv,weather", "It's 08:15 in Asia/Singapore; what is it in Europe/Madrid?", "convert_time",
           {"time": "08:15", "from_timezone": "Asia/Singapore", "to_timezone": "Europe/Madrid"})
    forced("stock,fx", "Check NFLX", "get_stock_price", {"symbol": "NFLX"})
    forced("flight,time", "My flight is EK 73 on 2025-12-20.", "get_flight_status",
           {"flight_number": "EK 73", "date": "2025-12-20"})
    forced("define,translate", "What's the meaning of 'ubiquitous'?", "define_word", {"word": "ubiquitous"})
    forced("recipe,units", "Vegan brownies, 45 minutes max", "search_recipes",
           {"query": "brownies", "diet": "vegan", "max_minutes": 45})
    forced("track,ticket", "Parcel 781234567890 via FedEx hasn't moved in a week.", "track_package",
           {"tracking_number": "781234567890", "carrier": "fedex"})
    forced("iprep,ticket", "203.0.113.250 keeps hitting our login page.", "check_ip_reputation",
           {"ip": "203.0.113.250"})
    forced("weather,forecast", "Cape Town, next two days", "get_forecast", {"location": "Cape Town", "days": 2})

    # ---- (e) system prompts and multi-turn conversations -----------------------------------------------
    E = "e_multiturn"
    conv(E, "weather,fx", [("u", "Weather in Paris?"), ("c", "get_weather", {"city": "Paris"}),
                           ("r", {"city": "Paris", "temp_c": 18, "condition": "sunny"}),
                           ("a", "It's 18 °C and sunny in Paris."), ("u", "And in Berlin?"),
                           ("c", "get_weather", {"city": "Berlin"})])
    conv(E, "fx,stock", [("u", "Convert 200 AUD to NZD."),
                         ("c", "convert_currency", {"amount": 200, "from_currency": "AUD", "to_currency": "NZD"}),
                         ("r", {"result": 218.6, "rate": 1.093}), ("a", "200 AUD is 218.60 NZD."),
                         ("u", "Perfect, thanks!"), ("a", "You're welcome!")])
    conv(E, "weather,email,stock", [("u", "Hi, I'm planning a trip to Kyoto."),
                                    ("a", "Sounds lovely! How can I help?"), ("u", "What's the weather there now?"),
                                    ("c", "get_weather", {"city": "Kyoto"})])
    # notebook 03's tool loop, one call per round (parallel_tool_calls=False)
    loop_user = "Check these indicators in the threat database: 198.51.100.99 and secure-payments.example."
    conv(E, "threatdb", [("u", loop_user), ("c", "search_database", {"indicator": "198.51.100.99"}),
                         ("r", search_database("198.51.100.99")),
                         ("c", "search_database", {"indicator": "secure-payments.example"})], system=SEC)
    conv(E, "threatdb", [("u", "Look up 203.0.113.201 and 192.0.2.250 in the threat database."),
                         ("c", "search_database", {"indicator": "203.0.113.201"}),
                         ("r", search_database("203.0.113.201")),
                         ("c", "search_database", {"indicator": "192.0.2.250"}),
                         ("r", search_database("192.0.2.250")),
                         ("a", "203.0.113.201 is malicious (phishing, first seen 2026-08-09). 192.0.2.250 is "
                               "benign: a DNS resolver.")], system=SEC)
    conv(E, "threatdb,email", [("u", "Are a7be402d76dae4c454bbca5b28f6cba7 or free-vpn.example known?"),
                               ("c", "search_database", {"indicator": "a7be402d76dae4c454bbca5b28f6cba7"}),
                               ("r", search_database("a7be402d76dae4c454bbca5b28f6cba7")),
                               ("c", "search_database", {"indicator": "free-vpn.example"}),
                               ("r", search_database("free-vpn.example")),
                               ("a", "Both are known. The MD5 is malicious (trojan, loader); free-vpn.example is "
                                     "suspicious (adware).")])
    conv(E, "weather,forecast", [("u", "How's the weather in Edinburgh?"), ("c", "get_weather", {"city": "Edinburgh"}),
                                 ("r", {"city": "Edinburgh", "temp_c": 11, "condition": "rain", "rain_chance": 80}),
                                 ("a", "11 °C and raining in Edinburgh."), ("u", "Should I take an umbrella?"),
                                 ("a", "Yes, it's raining with an 80% chance of more, so take one.")])
    conv(E, "stock,fx", [("u", "What's AMZN at?"), ("c", "get_stock_price", {"symbol": "AMZN"}),
                         ("r", {"symbol": "AMZN", "price": 186.5, "currency": "USD"}), ("a", "AMZN is at 186.50 USD."),
                         ("u", "Convert that price to euros."),
                         ("c", "convert_currency", {"amount": 186.5, "from_currency": "USD", "to_currency": "EUR"})])
    conv(E, "threatdb,block", [("u", "Check update-check.test."), ("c", "search_database", {"indicator": "update-check.test"}),
                               ("r", search_database("update-check.test")),
                               ("a", "update-check.test is malicious: it serves malware downloads (first seen "
                                     "2026-01-19)."), ("u", "Block it for 12 hours."),
                               ("c", "block_indicator", {"indicator": "update-check.test", "hours": 12,
                                                         "reason": "malicious"})], system=SEC)
    conv(E, "threatdb,block", [("u", "Is 203.0.113.88 dangerous?"), ("c", "search_database", {"indicator": "203.0.113.88"}),
                               ("r", search_database("203.0.113.88")),
                               ("a", "203.0.113.88 is suspicious, not confirmed malicious: it's a Tor exit node."),
                               ("u", "Block it for 6 hours then, and page the on-call analyst."),
                               ("c", "block_indicator", {"indicator": "203.0.113.88", "hours": 6, "reason": "suspicious",
                                                         "notify": True})], system=SEC)
    conv(E, "ticket,email", [("u", "The printer on floor 3 is jammed again."),
                             ("a", "Sorry about that. Shall I open a support ticket?"), ("u", "Yes, normal priority."),
                             ("c", "create_support_ticket", {"subject": "Printer jammed on floor 3",
                                                             "description": "The printer on floor 3 is jammed again.",
                                                             "priority": "normal"})])
    conv(E, "email", [("u", "Send an email to lena@ortiz.example."), ("a", "Sure. What should the subject and message be?"),
                      ("u", "Subject 'Invoice', and say the invoice is attached."),
                      ("c", "send_email", {"to": "lena@ortiz.example", "subject": "Invoice",
                                           "body": "The invoice is attached."})])
    conv(E, "events,event", [("u", "What's on 2025-10-06?"), ("c", "list_events", {"date": "2025-10-06"}),
                             ("r", {"events": [{"title": "Dentist", "time": "10:00"}]}),
                             ("a", "Just the dentist at 10:00."), ("u", "Add a gym session at 18:00 that day."),
                             ("c", "create_calendar_event", {"title": "Gym session", "date": "2025-10-06",
                                                             "time": "18:00"})])
    conv(E, "translate,define", [("u", "Translate 'The museum opens at nine' into Spanish."),
                                 ("c", "translate_text", {"text": "The museum opens at nine",
                                                          "target_language": "Spanish"}),
                                 ("r", {"translation": "El museo abre a las nueve"}),
                                 ("a", "\"El museo abre a las nueve.\""), ("u", "Now into Italian."),
                                 ("c", "translate_text", {"text": "The museum opens at nine",
                                                          "target_language": "Italian"})])
    conv(E, "units,calc", [("u", "Convert 5 kg to pounds."),
                           ("c", "convert_units", {"value": 5, "from_unit": "kg", "to_unit": "pounds"}),
                           ("r", {"value": 11.02, "unit": "pounds"}), ("a", "5 kg is about 11.02 pounds."),
                           ("u", "And 5 kg in ounces?"),
                           ("c", "convert_units", {"value": 5, "from_unit": "kg", "to_unit": "ounces"})])
    conv(E, "weather,fx", [("u", "What's the weather in Zurich, and what is 50 CHF in EUR?"),
                           ("c", "get_weather", {"city": "Zurich"}),
                           ("r", {"city": "Zurich", "temp_c": 7, "condition": "cloudy"}),
                           ("c", "convert_currency", {"amount": 50, "from_currency": "CHF", "to_currency": "EUR"})])
    conv(E, "weather,fx", [("u", "Weather in Vienna, and how much is 40 EUR in CZK?"),
                           ("c", "get_weather", {"city": "Vienna"}),
                           ("r", {"city": "Vienna", "temp_c": 21, "condition": "sunny"}),
                           ("c", "convert_currency", {"amount": 40, "from_currency": "EUR", "to_currency": "CZK"}),
                           ("r", {"result": 1004.0, "rate": 25.1}),
                           ("a", "Vienna is sunny at 21 °C, and 40 EUR is 1,004 CZK.")])
    conv(E, "flight,time", [("u", "Has SQ 322 landed?"), ("c", "get_flight_status", {"flight_number": "SQ 322"}),
                            ("r", {"status": "landed", "arrival": "06:48", "terminal": "3"}),
                            ("a", "Yes, SQ 322 landed at 06:48 at terminal 3.")],
         system="You are the travel desk assistant of Brightwing Tours. Be brief.")
    conv(E, "add,mul", [("u", "What's (12 + 30) * 4?"), ("c", "add", {"a": 12, "b": 30}), ("r", {"result": 42}),
                        ("c", "multiply", {"a": 42, "b": 4})])
    conv(E, "add,mul", [("u", "Compute (9 + 6) * 11."), ("c", "add", {"a": 9, "b": 6}), ("r", {"result": 15}),
                        ("c", "multiply", {"a": 15, "b": 11}), ("r", {"result": 165}), ("a", "(9 + 6) * 11 = 165.")])
    conv(E, "track,email", [("u", "Where is DHL parcel 3SABC1234567?"),
                            ("c", "track_package", {"tracking_number": "3SABC1234567", "carrier": "dhl"}),
                            ("r", {"status": "in transit", "location": "Brussels hub", "eta": "2025-05-09"}),
                            ("a", "It's in transit at the Brussels hub, due on 2025-05-09."),
                            ("u", "Can you change the delivery address?"),
                            ("a", "I can't change addresses; I can only track parcels. Please contact DHL.")])
    conv(E, "sql", [("u", "How many indicators came from partner-feed?"),
                    ("c", "query_threat_db", {"sql": "SELECT COUNT(*) FROM indicators WHERE source = 'partner-feed'"}),
                    ("r", run_sql("SELECT COUNT(*) FROM indicators WHERE source = 'partner-feed'")),
                    ("a", "10 indicators came from partner-feed."), ("u", "Which of those are malicious?"),
                    ("c", "query_threat_db", {"sql": "SELECT value FROM indicators WHERE source = 'partner-feed' "
                                                     "AND verdict = 'malicious'"})], system=SEC)
    conv(E, "define,translate", [("u", "Define 'meticulous'."), ("c", "define_word", {"word": "meticulous"}),
                                 ("r", {"word": "meticulous", "definition": "showing great attention to detail"}),
                                 ("a", "Meticulous means showing great attention to detail."),
                                 ("u", "Use it in a sentence."),
                                 ("a", "She kept meticulous notes of every experiment.")])
    conv(E, "weather,time", [("u", "Weather in Porto."), ("c", "get_weather", {"city": "Porto"}),
                             ("r", {"city": "Porto", "temp_c": 19, "condition": "cloudy"}),
                             ("a", "19 °C and cloudy in Porto."), ("u", "Sorry, I meant Portland, Oregon."),
                             ("c", "get_weather", {"city": "Portland, Oregon"})])
    conv(E, "weather", [("u", "Quel temps fait-il à Nice ?"), ("c", "get_weather", {"city": "Nice"}),
                        ("r", {"city": "Nice", "temp_c": 23, "condition": "sunny"}),
                        ("a", "Il fait 23 °C et beau à Nice.")], system="Réponds en français.")
    conv(E, "recipe,units", [("u", "Find me a soup recipe."), ("c", "search_recipes", {"query": "soup"}),
                             ("r", {"results": [{"title": "French onion soup", "minutes": 70}]}),
                             ("a", "French onion soup, 70 minutes."), ("u", "Something vegan instead, under 20 minutes."),
                             ("c", "search_recipes", {"query": "soup", "diet": "vegan", "max_minutes": 20})])
    lumen = "You are the support bot of Lumen Cloud. Search the docs before answering product questions."
    conv(E, "docs,ticket", [("u", "How do I enable automatic backups?"),
                            ("c", "search_docs", {"query": "enable automatic backups"})], system=lumen)
    conv(E, "docs,ticket", [("u", "Can I restore a deleted bucket?"),
                            ("c", "search_docs", {"query": "restore a deleted bucket"}),
                            ("r", {"results": [{"title": "Bucket recovery", "snippet": "Deleted buckets can be "
                                               "restored within 14 days from the Trash view."}]}),
                            ("a", "Yes, within 14 days: open the Trash view and restore it.")], system=lumen)
    conv(E, "iprep,ticket", [("u", "Check 198.51.100.140."), ("c", "check_ip_reputation", {"ip": "198.51.100.140"}),
                             ("r", {"ip": "198.51.100.140", "score": 92, "category": "botnet", "reports": 310}),
                             ("a", "198.51.100.140 is high risk: score 92, botnet, 310 reports."),
                             ("u", "Open an urgent ticket about it."),
                             ("c", "create_support_ticket", {"subject": "High-risk IP 198.51.100.140",
                                                             "description": "198.51.100.140 has reputation score 92 "
                                                                            "(botnet, 310 reports).",
                                                             "priority": "urgent"})])
    conv(E, "stock", [("u", "Compare AAPL and MSFT prices."), ("c", "get_stock_price", {"symbol": "AAPL"}),
                      ("r", {"symbol": "AAPL", "price": 228.3, "currency": "USD"}),
                      ("c", "get_stock_price", {"symbol": "MSFT"}),
                      ("r", {"symbol": "MSFT", "price": 415.2, "currency": "USD"}),
                      ("a", "AAPL is at 228.30 USD and MSFT at 415.20 USD; MSFT's share price is higher.")])
    conv(E, "calc", [("u", "What's a 15% tip on a 64 dollar bill?"), ("c", "calculator", {"expression": "64 * 0.15"})],
         system="Use the calculator for any arithmetic.")
    conv(E, "weather,fx,email", [("u", "What can you do?"),
                                 ("a", "I can check the weather, convert currencies and send emails."),
                                 ("u", "OK, convert 60 CAD to USD."),
                                 ("c", "convert_currency", {"amount": 60, "from_currency": "CAD", "to_currency": "USD"})])
    conv(E, "weather,email", [("u", "Weather in Athens?"), ("c", "get_weather", {"city": "Athens"}),
                              ("r", {"city": "Athens", "temp_c": 22, "condition": "sunny"}),
                              ("a", "It's 22 °C and sunny in Athens."),
                              ("u", "Email that to me at kai@lund.example, subject 'Athens weather'."),
                              ("c", "send_email", {"to": "kai@lund.example", "subject": "Athens weather",
                                                   "body": "It's 22 °C and sunny in Athens."})])
    conv(E, "event,weather", [("u", "Add 'Call mum' tomorrow at 19:00."),
                              ("c", "create_calendar_event", {"title": "Call mum", "date": "2025-06-11",
                                                              "time": "19:00"})],
         system="Today is 2025-06-10.")
    conv(E, "time,tzconv", [("u", "What time is it in Europe/Warsaw?"), ("c", "get_local_time", {"timezone": "Europe/Warsaw"}),
                            ("r", {"timezone": "Europe/Warsaw", "local_time": "2025-02-18T07:05:00+01:00"}),
                            ("a", "It's 07:05 in Warsaw."), ("u", "Great, thanks."), ("a", "You're welcome!")])
    conv(E, "threatdb,sql", [("u", "Thanks for checking those earlier."), ("a", "You're welcome! Anything else?"),
                             ("u", "Yes: how many MD5 hashes are malicious?"),
                             ("c", "query_threat_db", {"sql": "SELECT COUNT(*) FROM indicators WHERE type = 'md5' "
                                                              "AND verdict = 'malicious'"})], system=SEC)
    S = "e_system"
    trec(S, "stock,weather", [U("What's the capital of Canada?"), A("Ottawa.")],
         system="Only call a tool when you need one; otherwise answer directly.")
    trec(S, "fx,units", [U("Convert 12 inches to cm."),
                         CALL(("convert_units", {"value": 12, "from_unit": "inches", "to_unit": "cm"}))],
         system="You are a concise assistant for a hardware store.")
    trec(S, "threatdb", [U("Hello, who am I talking to?"),
                         A("I'm a security assistant. Give me an IP, domain or file hash and I'll check it in the "
                           "threat database.")], system=SEC)
    trec(S, "recipe,weather", [U("I have eggs and spinach. Breakfast ideas?"),
                               CALL(("search_recipes", {"query": "eggs spinach breakfast"}))],
         system="You are Chef Bot. Use search_recipes to suggest dishes.")


# ============================================================================ RAG

NOT_IN_SOURCES = "The sources do not say."

# Free-form items: (passages about the subject, question, answer with {1}/{2} marking the passage it uses,
# or None when the passages do not contain the answer, then a short note on what they do cover).
RAG_ITEMS: list[tuple[list[str], str, str | None, str | None]] = []


def R(passages, question, answer):
    RAG_ITEMS.append((passages, question, answer, None))


def NS(passages, question, note=None):
    RAG_ITEMS.append((passages, question, None, note))


R(["The Halvorsen Bakery chain was founded in Tromsø in 1987 and now runs 14 shops across northern Norway."],
  "When was Halvorsen Bakery founded?", "In 1987, in Tromsø {1}.")
R(["Orbitek's X2 drone has a flight time of 38 minutes and a maximum range of 9 km."],
  "How long can the Orbitek X2 stay in the air?", "About 38 minutes per flight {1}.")
R(["Customers of Brindle Bank can open a savings account online in about ten minutes.",
   "Brindle Bank savings accounts pay 2.1% interest per year."],
  "What interest does a Brindle Bank savings account pay, and how do I open one?",
  "It pays 2.1% a year {2}, and you can open one online in about ten minutes {1}.")
R(["Marsh tits hide thousands of seeds each autumn and can remember where they put them for weeks."],
  "How long do marsh tits remember their hidden seeds?", "For weeks {1}.")
R(["The Kelvedon Library lends laptops to members for up to 14 days; late returns cost 2 GBP per day."],
  "What's the fine for returning a Kelvedon Library laptop late?", "2 GBP per day {1}.")
R(["The 1894 Ashby Canal flood destroyed three mills and displaced around 400 residents."],
  "How many people did the Ashby Canal flood displace?", "Around 400 residents {1}.")
R(["Nordpeak hiking boots come with a two-year warranty that covers sole separation but not normal wear."],
  "Does the Nordpeak warranty cover normal wear and tear?",
  "No. It covers sole separation, not normal wear {1}.")
R(["Project Tamarind, an internal tool at Vexa Labs, runs GPU jobs strictly in the order they were submitted."],
  "How does Project Tamarind decide which GPU job runs next?", "First come, first served: jobs run in the order "
  "they were submitted {1}.")
R(["Copper sulfate crystals are blue because of water bound inside the crystal; heating drives the water off "
   "and leaves a white powder."],
  "What happens when you heat copper sulfate crystals?", "The bound water is driven off and they turn into a "
  "white powder {1}.")
R(["Zephyr Airlines allows one cabin bag of up to 8 kg on every fare.",
   "Zephyr Airlines charges 35 EUR for each checked bag up to 23 kg."],
  "What cabin bag can I bring on Zephyr Airlines?", "One cabin bag of up to 8 kg, on every fare {1}.")
R(["The town of Quillon holds its lantern festival on the first Saturday of October."],
  "When is Quillon's lantern festival?", "On the first Saturday of October {1}.")
R(["Employees at Fennick Logistics get 27 days of paid leave a year, plus public holidays."],
  "How much paid leave do Fennick Logistics staff get?", "27 days a year, plus public holidays {1}.")
R(["The Verrin-3 battery cell stores 4.2 Wh and keeps 80% of its capacity after 1,500 charge cycles."],
  "How much capacity is left in a Verrin-3 cell after 1,500 cycles?", "80% of its capacity {1}.")
R(["Glassfrogs of the Rio Palma valley lay their eggs on leaves hanging over streams; the tadpoles drop into the "
   "water when they hatch."], "Where do Rio Palma glassfrogs lay their eggs?",
  "On leaves hanging over streams {1}.")
R(["Admiral Teodora Vasquez led the 1712 expedition that mapped the Serrat archipelago."],
  "Who led the expedition that mapped the Serrat archipelago?", "Admiral Teodora Vasquez, in 1712 {1}.")
R(["Patchwork, a note-taking app, syncs notes with end-to-end encryption; the free plan allows 3 devices.",
   "Patchwork Pro costs 4 USD a month and removes the device limit."],
  "How many devices does Patchwork's free plan allow, and how do I get more?",
  "Three on the free plan {1}; Patchwork Pro, at 4 USD a month, removes the limit {2}.")
R(["Dunmore trams run every 6 minutes at peak times and every 15 minutes after 21:00."],
  "How often do trams run in Dunmore late in the evening?", "Every 15 minutes after 21:00 {1}.")
R(["Auberon Foods recalled its Sunny Oat bars in May 2024 after traces of peanut were found in one batch."],
  "Why were Sunny Oat bars recalled?", "Traces of peanut were found in a batch {1}.")
R(["Basalt columns form when thick lava cools slowly and contracts, cracking into mostly six-sided pillars."],
  "Why do basalt columns have six sides?", "Thick lava cools slowly and contracts, cracking into mostly six-sided "
  "pillars {1}.")
R(["The Merrow Museum is closed on Mondays; entry is free on the first Sunday of each month."],
  "When can I visit the Merrow Museum for free?", "On the first Sunday of each month {1}.")
R(["Kestrel Systems' status page reports 99.97% uptime for its EU region in 2024."],
  "What uptime did Kestrel Systems' EU region have in 2024?", "99.97% {1}.")
R(["Pellucid Optics refunds purchases within 30 days if the frames are undamaged."],
  "How long do I have to return glasses to Pellucid Optics?", "30 days, as long as the frames are undamaged {1}.")
R(["The Oskari telescope's main mirror is 2.4 metres across and was polished in Turku."],
  "How big is the Oskari telescope's mirror?", "2.4 metres across {1}.")
R(["Sable Finance's mobile app supports fingerprint login on Android 10 and later."],
  "Which Android versions support fingerprint login in the Sable Finance app?", "Android 10 and later {1}.")
R(["Thornbury Council collects garden waste every second Tuesday.",
   "Food waste in Thornbury is collected weekly, on Fridays."],
  "When are garden waste and food waste collected in Thornbury?",
  "Garden waste every second Tuesday {1}; food waste every Friday {2}.")
R(["The abbey at Caddon was abandoned in 1539, and its stones were reused to build the village bridge."],
  "What happened to the stones of Caddon abbey?", "They were reused to build the village bridge {1}.")
R(["Lumo smart bulbs draw 9 watts and give 806 lumens, about as bright as an old 60 W bulb."],
  "How bright is a Lumo bulb?", "806 lumens, about like an old 60 W bulb {1}.")
R(["The enzyme lactase breaks lactose down into glucose and galactose."],
  "What does lactase turn lactose into?", "Glucose and galactose {1}.")
R(["Harrow & Finch ships orders over 50 EUR free within the EU; smaller orders pay 4.90 EUR."],
  "Will I pay shipping on a 30 EUR order from Harrow & Finch?",
  "Yes, 4.90 EUR: free shipping starts above 50 EUR {1}.")
R(["In the Skarvik tagging study, pilot whales dived to a maximum recorded depth of 1,019 metres."],
  "What was the deepest dive recorded in the Skarvik study?", "1,019 metres {1}.")
R(["The Ivel Valley Railway closed to passengers in 1962 and reopened as a heritage line in 1998."],
  "When did the Ivel Valley Railway reopen?", "In 1998, as a heritage line {1}.")
R(["Quill, Vexa Labs' coding assistant, supports Python, Go and Rust; Java support is planned for 2026."],
  "Can Quill help with Java code?", "Not yet: Java support is planned for 2026 {1}.")
R(["To reset a Cobalt router, hold the reset button for 10 seconds until the light blinks orange."],
  "How do I factory-reset my Cobalt router?", "Hold the reset button for 10 seconds until the light blinks "
  "orange {1}.")
R(["The Ostra wind farm has 42 turbines and makes enough power for about 60,000 homes."],
  "How many homes can the Ostra wind farm supply?", "About 60,000 homes {1}.")
R(["Tardigrades survive drying out by entering a state called a tun, in which their metabolism almost stops."],
  "What is a tun?", "A dried-out state tardigrades enter, in which their metabolism almost stops {1}.")
R(["The Greywater Bridge toll is 3 USD for cars and free for bicycles."],
  "What does it cost to cycle across the Greywater Bridge?", "Nothing: bicycles cross free {1}.")
R(["At Tallis Hospital, visiting hours are 14:00 to 20:00; on children's wards one parent may stay overnight."],
  "Can a parent stay the night on a Tallis Hospital children's ward?", "Yes, one parent may stay overnight {1}.")
R(["Hexfield CI keeps build logs for 90 days on the free plan and for one year on the Team plan."],
  "How long does Hexfield CI keep build logs on the Team plan?", "One year {1}.")
R(["In 1921 the cartographer Ilse Brandt published the first accurate map of the Kessel caves."],
  "Who first mapped the Kessel caves accurately, and when?", "Ilse Brandt, in 1921 {1}.")
R(["Bluefin Pools open at 06:30 on weekdays and at 08:00 at weekends."],
  "What time do Bluefin Pools open on a Saturday?", "At 08:00 {1}.")
R(["Solvi heat pumps use R290, a natural refrigerant.", "Solvi heat pumps need a service every two years."],
  "Which refrigerant do Solvi heat pumps use, and how often do they need servicing?",
  "R290, a natural refrigerant {1}, and a service every two years {2}.")
R(["Amberline's API answers with HTTP 429 once a key sends more than 60 requests per minute."],
  "What is Amberline's API rate limit?", "60 requests per minute per key; above that it returns HTTP 429 {1}.")
R(["Red kites were reintroduced to the Harlow Hills in 1990 and now number more than 1,000 pairs."],
  "How many red kites live in the Harlow Hills today?", "More than 1,000 pairs {1}.")
R(["Mirelle's sourdough starter should be fed twice a day at room temperature, or once a week in the fridge."],
  "If I keep the starter in the fridge, how often should I feed it?", "Once a week {1}.")
R(["The Pentreath Prize for young poets is awarded every March and comes with 5,000 GBP."],
  "How much is the Pentreath Prize worth?", "5,000 GBP {1}.")
R(["Caspian Wireless customers can roam in 40 countries at no extra cost."],
  "In how many countries can Caspian Wireless customers roam for free?", "40 countries {1}.")
R(["The Windle Fort was built in 1643 to guard the river crossing and was never attacked."],
  "Was the Windle Fort ever attacked?", "No, never {1}.")
R(["A Ferro e-bike battery charges fully in 4.5 hours and gives a range of up to 110 km."],
  "What range does a Ferro e-bike have?", "Up to 110 km on a full charge {1}.")
R(["Dr. Amara Osei's team found that bumblebees learn flower colours faster when rewarded with 30% sugar water."],
  "What reward helped bumblebees learn colours faster?", "Sugar water at 30% concentration {1}.")
R(["The Corrin Hotel accepts pets under 10 kg for 15 EUR per night."],
  "Can I bring my 20 kg dog to the Corrin Hotel?", "No: only pets under 10 kg are accepted {1}.")
R(["Version 3.2 of the Tidewater SDK removes the deprecated sync_upload() function; use upload() instead."],
  "What should I use instead of sync_upload() in Tidewater SDK 3.2?", "upload() {1}.")
R(["Elm Street Clinic is open Monday to Friday.", "Elm Street Clinic runs a walk-in service from 8:00 to 11:00."],
  "When can I walk in to Elm Street Clinic without an appointment?",
  "On weekdays {1}, from 8:00 to 11:00 {2}.")
R(["A 2023 survey by the Norrvik Institute found that 64% of Norrvik commuters cycle at least once a week."],
  "What share of Norrvik commuters cycle every week?", "64% {1}.")
R(["Morrow Coffee decaffeinates its beans with the Swiss Water process, which uses no chemical solvents."],
  "How does Morrow Coffee make its decaf?", "With the Swiss Water process, which uses no chemical solvents {1}.")
R(["The Aldane ferry reaches Skerra Island in 50 minutes; the last return sailing leaves at 18:45."],
  "When does the last ferry back from Skerra Island leave?", "At 18:45 {1}.")
R(["Octavia, Vexa Labs' customer-service model, answers in 12 languages and hands over to a human after two "
   "failed answers."], "When does Octavia pass a conversation to a human?", "After two failed answers {1}.")
R(["According to the Brask Survey, the Brask Glacier has retreated 1.3 km since 1950."],
  "How far has the Brask Glacier retreated since 1950?", "1.3 km {1}.")
R(["Queen Aelis II of Varnholm abolished the salt tax in 1688."],
  "Who abolished the salt tax in Varnholm?", "Queen Aelis II, in 1688 {1}.")
R(["Northgate Gym members can freeze their membership for up to three months a year at no cost."],
  "Can I pause my Northgate Gym membership?", "Yes, for up to three months a year, free of charge {1}.")
R(["Graphene is a single layer of carbon atoms arranged in a hexagonal lattice."],
  "What is graphene made of?", "A single layer of carbon atoms in a hexagonal lattice {1}.")
R(["Thistle Books pays authors a royalty of 12% on print sales and 25% on e-books."],
  "What royalty does Thistle Books pay on e-books?", "25% {1}.")

NS(["The Halden Bridge opened in 1931 and spans 480 metres."], "Who designed the Halden Bridge?",
   "They give its opening year and length.")
NS(["Orla Cosmetics ships to 22 countries and offers free returns within 14 days."],
   "Does Orla Cosmetics test its products on animals?")
NS(["The Tessel X5 phone has a 6.1-inch screen and 128 GB of storage."], "What is the Tessel X5's battery capacity?",
   "They only cover its screen size and storage.")
NS(["The village of Brennock has 2,300 inhabitants and a weekly market on Thursdays."], "When was Brennock founded?")
NS(["Cobalt routers support Wi-Fi 6 and up to 64 connected devices."], "How much does a Cobalt router cost?",
   "They describe its Wi-Fi support and device limit, not its price.")
NS(["Ravenmoor Hall was built in 1742 for the Ashcombe family."], "How many rooms does Ravenmoor Hall have?")
NS(["The Pellam API accepts JSON request bodies of up to 2 MB."], "What authentication does the Pellam API use?",
   "They only mention the request size limit.")
NS(["Staff at Quorra Insurance work from the office on Tuesdays and Thursdays."],
   "What is Quorra Insurance's parental leave policy?")
NS(["The Velta river is 212 km long and flows into Lake Orm."], "Which fish live in the Velta river?",
   "They give its length and where it flows.")
NS(["Beginner pottery classes at Kiln & Co. run for six weeks."], "How much does a beginner class at Kiln & Co. cost?")
NS(["The Sundial Cafe serves breakfast until 11:30."], "Does the Sundial Cafe have vegan options?",
   "They only give its breakfast hours.")
NS(["Vexa Labs was founded in 2019 by Mara Quist and Jonah Feld."], "How many people work at Vexa Labs?")
NS(["The Arden-7 satellite launched in 2021 and orbits at 550 km."], "When will Arden-7 be retired?",
   "They cover its launch year and orbit.")
NS(["Emberly candles burn for about 40 hours."], "What wax are Emberly candles made of?")
NS(["The 1803 Treaty of Lisk ended the border war between Varnholm and Osterrike."],
   "How many soldiers died in that border war?", "They only say which treaty ended it.")
NS(["Tidewater SDK 3.2 requires Python 3.10 or newer."], "Does the Tidewater SDK run on Windows?")
NS(["Glimmer Pay charges merchants 1.4% per card transaction."], "How quickly does Glimmer Pay pay out to merchants?",
   "They give its transaction fee, not payout times.")
NS(["Norrvik's main library holds 180,000 books."], "What are the opening hours of Norrvik's main library?")
NS(["The Aldane ferry carries up to 60 cars per crossing."], "How much is a car ticket on the Aldane ferry?",
   "They give the car capacity, not the fares.")
NS(["Fennick Logistics runs 35 warehouses in six countries."], "Who is the CEO of Fennick Logistics?")
NS(["The Saltmarsh Folk Festival takes place every July near Orrin Bay."], "Who is headlining the festival this year?")
NS(["The Kessel caves stay at 9 °C all year round."], "How deep are the Kessel caves?",
   "They only mention the cave temperature.")
NS(["A Lumo smart bulb lasts about 25,000 hours."], "Does the Lumo bulb work with voice assistants?")
NS(["Sable Finance charges no monthly fee on its basic account."], "What overdraft interest does Sable Finance charge?")
NS(["Zephyr Airlines charges 35 EUR for each checked bag up to 23 kg."],
   "How much does Marigold Airlines charge for a checked bag?", "They give Zephyr Airlines' fee, not Marigold's.")
NS(["The Oskari telescope stands 2,100 metres above sea level."], "What was the Oskari telescope's first discovery?")
NS(["Brindle Bank's mortgage rates start at 3.9%.", "Brindle Bank has 120 branches."],
   "Does Brindle Bank offer business loans?", "They cover its mortgage rates and branch count.")
NS(["The Merrow Museum's collection includes 3,000 Roman coins."], "Who founded the Merrow Museum?")
NS(["The Verrin-3 battery cell stores 4.2 Wh."], "How much energy does a Verrin-4 cell store?",
   "They only cover the Verrin-3.")
NS(["Thornbury's recycling centre is open from 9:00 to 17:00, seven days a week."],
   "Does the Thornbury recycling centre accept old tyres?")

# Passages that answer none of the questions, mixed in as irrelevant sources.
DISTRACTORS = [
    "The Hollin Orchestra performs its winter concert series in the old corn exchange.",
    "Ptarmigans turn white in winter, which hides them against the snow.",
    "The Quarry Lane car park charges 1.50 GBP per hour between 8:00 and 18:00.",
    "Mosaic Studio's drawing tablets connect over USB-C or Bluetooth.",
    "The Avon Vale cider festival started in 1976 with just six stalls.",
    "Saltwater is denser than fresh water, so objects float more easily in the sea.",
    "Greenleaf Grocers opens a new store in Harwick next spring.",
    "The Tannery Theatre seats 340 people and has a small rooftop bar.",
    "Vellum, a font family by Osk Type, includes 12 weights and a matching italic.",
    "A light-year is the distance light travels in one year, about 9.46 trillion km.",
    "The Corvel Rugby Club trains on Tuesday and Thursday evenings.",
    "Juniper berries are used to flavour gin.",
    "Ashdown Primary School was rated outstanding in its last inspection.",
    "Parkline bus route 7 was extended to the new hospital in 2022.",
    "The sloth's slow metabolism lets it survive on a diet of leaves.",
    "Brisa Airways launched direct flights to Marrakesh last year.",
    "The Pembry Archives hold parish records going back to 1560.",
    "Rye bread stays fresh longer than wheat bread because it holds more moisture.",
    "Lantern Labs released version 2.0 of its sensor firmware in January.",
    "The Orrin Bay lighthouse was automated in 1989.",
    "Volcanic soils are often very fertile because they are rich in minerals.",
    "The Westfield Chess Club meets every Wednesday at the community hall.",
    "Mirth & Co. sells handmade board games through its online shop.",
    "Quartz watches keep time using a crystal that vibrates 32,768 times per second.",
    "The Elder Street market sells flowers, cheese and second-hand books.",
    "Caldera Coffee roasts its beans in small batches every morning.",
    "Seahorse fathers carry the eggs in a pouch until they hatch.",
    "The Linden Cycle Route follows an old railway line for 18 km.",
    "Birchwood Software offers a 30-day free trial of its accounting package.",
    "The Copperfield Mine closed in 1911 after the main seam ran out.",
]

RAG_TEMPLATES = [
    lambda s, q: f"Use only these sources to answer. Cite them as [n].\n\n{s}\n\nQuestion: {q}",
    lambda s, q: f"Based on the passages below, answer: {q}\n\n{s}",
    lambda s, q: f"Context:\n{s}\n\nQuestion: {q}",
    lambda s, q: f"{s}\n\n{q} Answer from the sources above only, and cite them.",
    lambda s, q: f"Sources:\n{s}\n{q}",
    lambda s, q: f"Read the numbered passages and answer with citations.\n{s}\nQ: {q}",
    lambda s, q: f"Question: {q}\n\nSources:\n{s}",
    lambda s, q: f"I found these search results:\n{s}\n\nCan you tell me: {q}",
    lambda s, q: f"Answer from the numbered snippets. If they don't contain the answer, say so.\n\n{s}\n\n{q}",
    lambda s, q: f"Passages:\n{s}\n\nWith citations, answer this: {q}",
    lambda s, q: f"Ground your answer in the sources below and cite each fact like [1].\n{s}\nQuestion: {q}",
    lambda s, q: f"Documents:\n{s}\n---\n{q}",
    lambda s, q: f"Here is what the knowledge base returned:\n{s}\nUser question: {q}",
    lambda s, q: f"{q}\nOnly use the following sources:\n{s}",
    lambda s, q: f"Using nothing but the excerpts below, answer briefly.\n\nExcerpts:\n{s}\n\nQuestion: {q}",
]
RAG_SYSTEMS = [
    "Use only the numbered sources, and mark each fact with the number of its source, like [2].",
    "You are a research assistant. Keep answers short and cite the sources you use.",
    "You answer questions about company documents. Use only the provided sources.",
]
# System prompts that also say what to write when the sources are silent. They are given to answerable and
# unanswerable items alike, so the instruction itself never hints that the answer is missing.
RAG_GUARDED_SYSTEMS = [
    "Reply using only the sources in the user's message, citing each as [n]. Should none of them hold the "
    f"answer, your entire reply is \"{NOT_IN_SOURCES}\" and nothing more.",
    "Stick to the provided passages and put [n] after every fact you take from one. Where the passages are "
    f"silent on the question, answer with the single sentence \"{NOT_IN_SOURCES}\" instead.",
    "You are a careful assistant for document questions. Cite passages by number in brackets. No outside "
    f"knowledge: if the passages leave the question open, print \"{NOT_IN_SOURCES}\" as your answer.",
    "Base every answer on the numbered context alone and cite it like [3]. If the context has nothing on "
    f"the question, output \"{NOT_IN_SOURCES}\" only.",
    "Answer in one short sentence from the snippets, with bracketed citations. When the snippets lack the "
    f"fact asked for, give \"{NOT_IN_SOURCES}\" as the whole answer.",
    f"Sources come numbered in the user turn. Quote facts only from them and cite [n]. Missing answer? Then "
    f"\"{NOT_IN_SOURCES}\" is all you write.",
]
RAG_GUARDED_LAYOUTS = [
    lambda s, q: f"Sources:\n{s}\n\nQuestion: {q}",
    lambda s, q: f"Question: {q}\n\nSources:\n{s}",
    lambda s, q: f"{s}\n\nQuestion: {q}",
    lambda s, q: f"{q}\n\n{s}",
]


def _proper_words(text: str) -> set[str]:
    """Capitalised words (names) of a text, to keep distractors about the same subject out."""
    return {w for w in re.findall(r"\b[A-Z][A-Za-z0-9-]{3,}", text)} - {"What", "When", "Which", "Where", "Does",
                                                                        "How", "Will", "Who", "Can", "They"}


def _shuffled(items, rng):
    items = list(items)
    rng.shuffle(items)
    return items


def _assemble(rng, passages, question, pool):
    """Mix the item's passages with 0-2 distractors (2-4 sources); return (sources, number of each passage)."""
    names = _proper_words(question) | set().union(*(_proper_words(p) for p in passages))
    candidates = [d for d in pool if d not in passages and not (_proper_words(d) & names)]
    total = rng.choice([2, 2, 3, 3, 4]) if len(passages) == 1 else rng.choice([2, 3, 3, 4])
    chosen = rng.sample(candidates, total - len(passages))
    order = _shuffled([("p", i) for i in range(len(passages))] + [("d", j) for j in range(len(chosen))], rng)
    sources, number = [], {}
    for kind, i in order:
        sources.append(passages[i] if kind == "p" else chosen[i])
        if kind == "p":
            number[i + 1] = len(sources)
    return sources, number


def _cite(answer: str, number: dict[int, int]) -> str:
    for i, n in number.items():
        answer = answer.replace("{%d}" % i, f"[{n}]")
    assert "{" not in answer, answer
    return answer


def build_rag() -> None:
    rng = random.Random(4104)
    all_passages = [p for item in RAG_ITEMS for p in item[0]]
    pool = DISTRACTORS + all_passages
    templates = []
    while len(templates) < len(RAG_ITEMS):
        templates += _shuffled(range(len(RAG_TEMPLATES)), rng)
    for idx, (passages, question, answer, note) in enumerate(RAG_ITEMS):
        sub = "rag_cited" if answer is not None else "rag_not_in_sources"
        # Each item twice, with other distractors and numbering: once under one of the user templates (or,
        # now and then, a plain system prompt), once under a system prompt that names the reply for answers
        # the sources lack.
        for guarded in (False, True):
            sources, number = _assemble(rng, passages, question, pool)
            listing = "\n".join(f"[{i}] {t}" for i, t in enumerate(sources, start=1))
            system = None
            if guarded:
                system = rng.choice(RAG_GUARDED_SYSTEMS)
                user = rng.choice(RAG_GUARDED_LAYOUTS)(listing, question)
            elif idx % 9 == 4:
                system = RAG_SYSTEMS[(idx // 9) % len(RAG_SYSTEMS)]
                user = f"Sources:\n{listing}\n\nQuestion: {question}"
            else:
                user = RAG_TEMPLATES[templates[idx]](listing, question)
            reply = NOT_IN_SOURCES + (f" {note}" if note else "") if answer is None else _cite(answer, number)
            msgs = ([SYS(system)] if system else []) + [U(user), A(reply)]
            RECORDS.append((sub, {"kind": "rag", "messages": msgs}))
    build_rag_notebook(rng)


# ---- notebook 04's exact prompt and schema: build_prompt, EXAMPLE and citation_schema of helpers/rag/answers.py
def _rag_helpers():
    """EXAMPLE, build_prompt and citation_schema taken from helpers/rag/answers.py itself (not copied), so they match."""
    path = ROOT / "helpers" / "rag" / "answers.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    wanted = {"EXAMPLE", "build_prompt", "citation_schema"}
    pieces = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLE" for t in node.targets):
            pieces.append(ast.get_source_segment(source, node))
        elif isinstance(node, ast.FunctionDef) and node.name in wanted:
            pieces.append(ast.get_source_segment(source, node))
    assert len(pieces) == 3, "helpers/rag/answers.py changed: EXAMPLE, build_prompt or citation_schema is missing"
    namespace: dict = {}
    exec(compile("from __future__ import annotations\nfrom typing import Any, Sequence\n" + "\n\n".join(pieces),
                 str(path), "exec"), namespace)
    return namespace["build_prompt"], namespace["citation_schema"]


Hit = namedtuple("Hit", "text")

NB_ITEMS = [
    (["The Brightwater SOC rotates its on-call analysts every Monday at 09:00."],
     "When does the Brightwater SOC rotate on-call analysts?", "Every Monday at 09:00 {1}."),
    (["Kestrel-7B, an open model from Vexa Labs, has a context window of 32,000 tokens."],
     "What is Kestrel-7B's context window?", "32,000 tokens {1}."),
    (["Vexa-Embed, Vexa Labs' embedding model, outputs 768-dimensional vectors."],
     "How many dimensions do Vexa-Embed vectors have?", "768 dimensions {1}."),
    (["At Orrin Bank, every reported phishing email must be triaged within 30 minutes."],
     "How fast must Orrin Bank triage phishing reports?", "Within 30 minutes {1}."),
    (["The Halcyon firewall blocks outbound traffic to newly registered domains for their first 72 hours."],
     "For how long does Halcyon block newly registered domains?", "For their first 72 hours {1}."),
    (["Tern Analytics stores customer data only in its Frankfurt and Dublin data centres."],
     "Where does Tern Analytics keep customer data?", "In its Frankfurt and Dublin data centres {1}."),
    (["A password reset at Cobalt Corp needs approval from the employee's manager."],
     "Who approves password resets at Cobalt Corp?", "The employee's manager {1}."),
    (["Kestrel-7B was pre-trained on 2 trillion tokens of text and code."],
     "How many tokens was Kestrel-7B trained on?", "2 trillion tokens {1}."),
    (["Quantised to 4 bits, Drift-Mini needs about 5 GB of memory."],
     "How much memory does Drift-Mini need at 4 bits?", "About 5 GB {1}."),
    (["Brightwater closes an incident ticket only after a written post-mortem."],
     "When can a Brightwater incident ticket be closed?", "Only after a written post-mortem {1}."),
    (["The Meridian VPN disconnects sessions that have been idle for 8 hours."],
     "When does Meridian VPN drop idle sessions?", "After 8 hours idle {1}."),
    (["Sharks have no bones: their skeletons are made of cartilage."],
     "What are shark skeletons made of?", "Cartilage {1}."),
    (["The Orla river delta formed over the last 6,000 years."], "How old is the Orla delta?",
     "About 6,000 years {1}."),
    (["Vexa Labs' moderation endpoint labels text in 9 categories."],
     "How many categories does the Vexa moderation endpoint use?", "9 categories {1}."),
    (["Ashgrove University's library stays open 24 hours a day during exam weeks."],
     "When is the Ashgrove library open around the clock?", "During exam weeks {1}."),
    (["Every Tern Analytics laptop must use full-disk encryption."],
     "What encryption must Tern Analytics laptops use?", "Full-disk encryption {1}."),
    (["Brightwater analysts escalate any ransomware alert to the CISO within 15 minutes."],
     "How soon is a ransomware alert escalated to Brightwater's CISO?", "Within 15 minutes {1}."),
    (["Drift-Mini supports function calling and JSON mode."], "Does Drift-Mini support function calling?",
     "Yes, along with JSON mode {1}."),
    (["The Pell Observatory's dome is 18 metres wide and was rebuilt in 2004."],
     "When was the Pell Observatory's dome rebuilt?", "In 2004 {1}."),
    (["A hummingbird's heart can beat more than 1,200 times a minute."],
     "How fast can a hummingbird's heart beat?", "More than 1,200 times a minute {1}."),
    (["Cobalt Corp's guest Wi-Fi is isolated from the internal network."],
     "Can guests on Cobalt Corp's Wi-Fi reach the internal network?", "No, guest Wi-Fi is isolated from it {1}."),
    (["The Marlow fine-tuning service charges 3 USD per million training tokens."],
     "What does Marlow charge for fine-tuning?", "3 USD per million training tokens {1}."),
    (["Kestrel-7B is released under the Apache 2.0 licence.",
      "Kestrel-7B's weights can be downloaded from the Vexa model hub."],
     "Which licence covers Kestrel-7B, and where are its weights?",
     "Apache 2.0 {1}; the weights are on the Vexa model hub {2}."),
    (["Parking at the Saltmarsh ferry terminal costs 6 EUR per day."],
     "How much is parking at the Saltmarsh ferry terminal?", "6 EUR per day {1}."),
    (["Orrin Bank blocks card payments to merchants flagged as high-risk gambling sites."],
     "Which card payments does Orrin Bank block?", "Payments to merchants flagged as high-risk gambling sites {1}."),
    (["In the Brightwater SOC, alerts from the honeynet are kept for 180 days."],
     "How long does Brightwater keep honeynet alerts?", "180 days {1}."),
    (["The Emberly search index is rebuilt every night at 02:00 UTC."],
     "When is the Emberly index rebuilt?", "Every night at 02:00 UTC {1}."),
    (["Venus turns so slowly that one day there lasts longer than its year."],
     "Which lasts longer on Venus, a day or a year?", "A day lasts longer than its year {1}."),
    (["Drift-Mini has 3 billion parameters.", "On a laptop CPU, Drift-Mini generates about 12 tokens per second."],
     "How big is Drift-Mini, and how fast does it run on a laptop CPU?",
     "3 billion parameters {1}; about 12 tokens per second {2}."),
    (["The Tern Analytics bug bounty pays up to 10,000 USD for critical findings."],
     "What is the top bug bounty payout at Tern Analytics?", "Up to 10,000 USD for critical findings {1}."),
]


def build_rag_notebook(rng) -> None:
    build_prompt, citation_schema = _rag_helpers()
    nb_passages = [p for item in NB_ITEMS for p in item[0]]
    pool = DISTRACTORS + nb_passages
    for passages, question, answer in NB_ITEMS:
        sources, number = _assemble(rng, passages, question, pool)
        reply = _cite(answer, number)
        cited = sorted(set(number.values()))
        content = build_prompt(question, [Hit(t) for t in sources])
        rf = {"type": "json_schema", "json_schema": {"name": "cited_answer", "schema": citation_schema(len(sources)),
                                                     "strict": True}}
        RECORDS.append(("rag_notebook04", {"kind": "rag", "messages": [U(content), A(dumps(
            {"citations": cited, "answer": reply}))], "response_format": rf}))


# ============================================================================ validation

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def schema_errors(value, schema: dict, where: str = "$") -> list[str]:
    """A small JSON-schema checker: type, enum, const, anyOf, properties, required, additionalProperties,
    items, min/maxItems, min/maxLength, minimum/maximum, pattern (titles and descriptions are ignored)."""
    errors = []
    if "anyOf" in schema:
        if all(schema_errors(value, s, where) for s in schema["anyOf"]):
            errors.append(f"{where}: matches no anyOf branch")
        return errors
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_TYPES[k](value) for k in kinds):
            return [f"{where}: {value!r} is not of type {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in enum {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} != const")
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", 10 ** 9) or len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: length {len(value)} out of bounds")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if _TYPES["number"](value):
        if value < schema.get("minimum", float("-inf")) or value > schema.get("maximum", float("inf")):
            errors.append(f"{where}: {value} out of range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10 ** 9):
            errors.append(f"{where}: {len(value)} items out of bounds")
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                errors += schema_errors(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: required key {key!r} missing")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: key {key!r} not allowed")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, f"{where}.{key}")
    return errors


def _sources(text: str) -> list[int]:
    """The source numbers given in a RAG prompt (after the last 'Sources:' when there is one)."""
    tail = text.rsplit("\nSources:\n", 1)[-1] if "\nSources:\n" in text else text
    return [int(n) for n in re.findall(r"^\[(\d+)\] ", tail, flags=re.M)]


def validate(path: Path) -> tuple[Counter, set]:
    kinds, used_tools = Counter(), set()
    seen_prompts = set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        rec = json.loads(line)  # every line is valid JSON
        where = f"line {n}"
        kind, msgs = rec["kind"], rec["messages"]
        assert kind in ("json", "tool", "rag"), where
        assert msgs and msgs[-1]["role"] == "assistant", f"{where}: last message is not the assistant's"
        assert all(m["role"] in ("system", "user", "assistant", "tool") for m in msgs), where
        last = msgs[-1]
        prompt_key = (kind, json.dumps(msgs[:-1], sort_keys=True))
        assert prompt_key not in seen_prompts, f"{where}: duplicate request"
        seen_prompts.add(prompt_key)
        kinds[kind] += 1

        if kind == "tool":
            tools = {t["function"]["name"]: t["function"]["parameters"] for t in rec["tools"]}
            assert 1 <= len(tools) <= 4, where
            choice = rec.get("tool_choice", "auto")
            assert choice in ("auto", "any") or (isinstance(choice, dict) and choice["function"]["name"] in tools), where
            pending: dict[str, str] = {}
            for i, m in enumerate(msgs):
                if m["role"] == "assistant" and m.get("tool_calls"):
                    assert not pending, f"{where}: a call was left without a result"
                    assert len(m["tool_calls"]) == 1, f"{where}: one call per turn (parallel_tool_calls=False)"
                    for call in m["tool_calls"]:
                        assert re.fullmatch(r"[A-Za-z0-9]{9}", call["id"]), f"{where}: bad id"
                        assert call["type"] == "function", where
                        name, args = call["function"]["name"], call["function"]["arguments"]
                        assert name in tools, f"{where}: {name} was not offered"
                        assert isinstance(args, str), f"{where}: arguments must be a JSON string"
                        parsed = json.loads(args)
                        assert isinstance(parsed, dict), where
                        params = tools[name]
                        unknown = set(parsed) - set(params["properties"])
                        assert not unknown, f"{where}: {name} has no parameter {unknown}"
                        errs = schema_errors(parsed, params)
                        assert not errs, f"{where}: {errs}"
                        pending[call["id"]] = name
                        used_tools.add(name)
                elif m["role"] == "tool":
                    assert pending.get(m["tool_call_id"]) == m["name"], f"{where}: tool result without its call"
                    assert isinstance(m["content"], str), where
                    del pending[m["tool_call_id"]]
                elif m["role"] == "assistant":
                    assert not pending, f"{where}: answered before the tool result came"
                    assert m["content"].strip(), where
            if last.get("tool_calls"):
                if isinstance(choice, dict):
                    assert last["tool_calls"][0]["function"]["name"] == choice["function"]["name"], where
            else:
                assert choice == "auto", f"{where}: tool_choice {choice!r} requires a call"
                assert last["content"].strip(), where

        elif kind == "json":
            data = json.loads(last["content"])
            assert isinstance(data, dict), f"{where}: the JSON answer is not an object"
            rf = rec.get("response_format")
            if rf and rf["type"] == "json_schema":
                errs = schema_errors(data, rf["json_schema"]["schema"])
                assert not errs, f"{where}: {errs}"
            else:
                assert rf is None or rf == {"type": "json_object"}, where

        else:  # rag
            user = next(m for m in reversed(msgs) if m["role"] == "user")["content"]
            numbers = _sources(user)
            assert numbers == list(range(1, len(numbers) + 1)) and 2 <= len(numbers) <= 4, f"{where}: {numbers}"
            rf = rec.get("response_format")
            if rf:
                data = json.loads(last["content"])
                errs = schema_errors(data, rf["json_schema"]["schema"])
                assert not errs, f"{where}: {errs}"
                markers = sorted({int(x) for x in re.findall(r"\[(\d+)\]", data["answer"])})
                assert markers == sorted(data["citations"]), f"{where}: citations and markers differ"
                cited = markers
            else:
                text = last["content"]
                cited = [int(x) for x in re.findall(r"\[(\d+)\]", text)]
                if text.startswith(NOT_IN_SOURCES):
                    assert not cited, where
                else:
                    assert cited, f"{where}: an answer from the sources must cite them"
            assert all(c in numbers for c in cited), f"{where}: cites a source that was not given"
    return kinds, used_tools


# ---- a zoo of further tools: picking among tools by their descriptions, not by names seen before
# Each tool is offered among two or three others drawn at random, so which tools appear together varies;
# requests copy unusual names and numbers into arguments exactly. None of the held-out set's domains
# (library, restaurant, parking, train, hotel, CVE, WHOIS, bike, pharmacy, playlist, lights, shipping) occur.
ZOO: list[tuple[str, dict, list[tuple[str, dict]], tuple[str, dict, dict, str] | None]] = [
    ("air", fn("get_air_quality", "Current air quality index for a city.", {"city": p("string")}),
     [("How clean is the air in Plovdiv right now?", {"city": "Plovdiv"}),
      ("Air quality index for Cluj-Napoca, please.", {"city": "Cluj-Napoca"})],
     ("Is the air OK in Valparaíso today?", {"city": "Valparaíso"}, {"aqi": 38, "level": "good"},
      "Yes: the air quality index in Valparaíso is 38, which counts as good.")),
    ("haircut", fn("book_haircut", "Book an appointment at a hair salon.",
                   {"salon": p("string"), "date": p("string", "YYYY-MM-DD"), "time": p("string", "HH:MM")}),
     [("Get me a haircut at Snip & Co on 2025-06-14 at 10:30.", {"salon": "Snip & Co", "date": "2025-06-14", "time": "10:30"}),
      ("Book Maison Ciseaux for 2025-02-03, 17:15.", {"salon": "Maison Ciseaux", "date": "2025-02-03", "time": "17:15"})],
     None),
    ("tide", fn("get_tide_times", "High and low tide times for a harbour on a date.",
                {"harbour": p("string"), "date": p("string", "YYYY-MM-DD")}),
     [("When is high tide at Port Isaac on 2025-08-09?", {"harbour": "Port Isaac", "date": "2025-08-09"}),
      ("Tide times for Saint-Malo, 2025-04-22.", {"harbour": "Saint-Malo", "date": "2025-04-22"})],
     ("Tides at Whitby on 2025-07-01?", {"harbour": "Whitby", "date": "2025-07-01"},
      {"high": ["05:42", "18:03"], "low": ["11:51"]}, "High tide at Whitby is at 05:42 and 18:03, low tide at 11:51.")),
    ("cinema", fn("get_showtimes", "Film showtimes at a cinema on a date.",
                  {"cinema": p("string"), "date": p("string", "YYYY-MM-DD")}),
     [("What's on at the Rialto Picturehouse on 2025-03-28?", {"cinema": "Rialto Picturehouse", "date": "2025-03-28"}),
      ("Showtimes at Kino Babylon for 2025-11-02.", {"cinema": "Kino Babylon", "date": "2025-11-02"})],
     None),
    ("taxi", fn("order_taxi", "Order a taxi from a pickup address to a destination.",
                {"pickup": p("string"), "destination": p("string")}),
     [("Send a taxi to 14 Quay Street to take me to the airport.", {"pickup": "14 Quay Street", "destination": "the airport"}),
      ("I need a cab from Hotel Vier Jahreszeiten to Hauptbahnhof.",
       {"pickup": "Hotel Vier Jahreszeiten", "destination": "Hauptbahnhof"})],
     None),
    ("sun", fn("get_sun_times", "Sunrise and sunset times for a city on a date.",
               {"city": p("string"), "date": p("string", "YYYY-MM-DD")}),
     [("When does the sun set in Tromsø on 2025-12-21?", {"city": "Tromsø", "date": "2025-12-21"}),
      ("Sunrise in Nairobi on 2025-01-15?", {"city": "Nairobi", "date": "2025-01-15"})],
     ("What time is sunset in Seville on 2025-06-21?", {"city": "Seville", "date": "2025-06-21"},
      {"sunrise": "06:45", "sunset": "21:51"}, "The sun sets at 21:51 in Seville on 2025-06-21.")),
    ("postcode", fn("lookup_postcode", "Find the town and region of a postcode.", {"postcode": p("string")}),
     [("Which town has the postcode EH1 2NG?", {"postcode": "EH1 2NG"}),
      ("Where is postcode 75011?", {"postcode": "75011"})],
     None),
    ("room", fn("reserve_meeting_room", "Reserve an office meeting room.",
                {"room": p("string"), "date": p("string", "YYYY-MM-DD"), "start": p("string", "HH:MM"),
                 "end": p("string", "HH:MM")}),
     [("Reserve the Juniper room on 2025-05-06 from 14:00 to 15:30.",
       {"room": "Juniper", "date": "2025-05-06", "start": "14:00", "end": "15:30"}),
      ("Can you book room 4B for 2025-09-18, 09:00-09:45?", {"room": "4B", "date": "2025-09-18", "start": "09:00", "end": "09:45"})],
     None),
    ("gym", fn("check_gym_class", "Free places left in a gym class on a weekday.",
               {"class_name": p("string"), "day": penum(["monday", "tuesday", "wednesday", "thursday", "friday",
                                                         "saturday", "sunday"])}),
     [("Any spots left in Tuesday's spin class?", {"class_name": "spin", "day": "tuesday"}),
      ("Is the Saturday kettlebell class full?", {"class_name": "kettlebell", "day": "saturday"})],
     ("Places in Thursday's pilates?", {"class_name": "pilates", "day": "thursday"}, {"free": 3, "capacity": 16},
      "Thursday's pilates class has 3 free places out of 16.")),
    ("crypto", fn("get_crypto_price", "Latest price of a cryptocurrency in a currency.",
                  {"coin": p("string"), "currency": p("string", "ISO code")}),
     [("What is one bitcoin worth in euros?", {"coin": "bitcoin", "currency": "EUR"}),
      ("Price of Cardano in yen.", {"coin": "Cardano", "currency": "JPY"})],
     None),
    ("ski", fn("get_snow_report", "Snow depth and open slopes at a ski resort.", {"resort": p("string")}),
     [("How much snow is there in Val Thorens?", {"resort": "Val Thorens"}),
      ("Snow report for Niseko, please.", {"resort": "Niseko"})],
     ("Are the slopes open at Zermatt?", {"resort": "Zermatt"}, {"snow_cm": 145, "open_slopes": 52, "total_slopes": 54},
      "Yes: 52 of Zermatt's 54 slopes are open, on 145 cm of snow.")),
    ("nutrition", fn("get_nutrition", "Calories and macronutrients for a quantity of a food.",
                     {"food": p("string"), "grams": p("number")}),
     [("How many calories are in 150 g of rice?", {"food": "rice", "grams": 150}),
      ("Nutrition facts for 30 grams of almonds.", {"food": "almonds", "grams": 30})],
     None),
    ("spell", fn("spell_check", "Find spelling mistakes in a text.", {"text": p("string")}),
     [("Spell-check this: 'Recieve the pakage tommorow.'", {"text": "Recieve the pakage tommorow."}),
      ("Check my spelling: \"definately seperate\"", {"text": "definately seperate"})],
     None),
    ("population", fn("get_population", "Latest population estimate of a country.", {"country": p("string")}),
     [("How many people live in Uruguay?", {"country": "Uruguay"}),
      ("Population of Slovenia?", {"country": "Slovenia"})],
     ("What's the population of Iceland?", {"country": "Iceland"}, {"population": 387758, "year": 2024},
      "Iceland had about 387,758 inhabitants in 2024.")),
    ("fuel", fn("get_fuel_prices", "Fuel prices at stations near a place.",
                {"near": p("string"), "fuel": penum(["diesel", "petrol", "lpg"])}),
     [("Cheapest diesel near Aachen?", {"near": "Aachen", "fuel": "diesel"}),
      ("Petrol prices around Ghent, please.", {"near": "Ghent", "fuel": "petrol"})],
     None),
    ("visa", fn("check_visa", "Whether a passport holder needs a visa for a destination.",
                {"passport": p("string", "passport country"), "destination": p("string")}),
     [("Do I need a visa for Vietnam with a Brazilian passport?", {"passport": "Brazil", "destination": "Vietnam"}),
      ("Canadian passport, travelling to Kenya: visa needed?", {"passport": "Canada", "destination": "Kenya"})],
     None),
    ("mortgage", fn("calculate_mortgage", "Monthly repayment of a mortgage.",
                    {"principal": p("number"), "annual_rate": p("number", "percent"), "years": p("integer")}),
     [("Monthly payment on 250000 at 3.9% over 25 years?", {"principal": 250000, "annual_rate": 3.9, "years": 25}),
      ("What would I repay each month for a 180000 loan, 4.2 percent, 20 years?",
       {"principal": 180000, "annual_rate": 4.2, "years": 20})],
     None),
    ("score", fn("get_match_score", "Latest score of a sports team's current or last match.", {"team": p("string")}),
     [("What's the score in the Feyenoord game?", {"team": "Feyenoord"}),
      ("How did the Galway hurlers do?", {"team": "Galway"})],
     ("Did Boca Juniors win?", {"team": "Boca Juniors"}, {"home": "Boca Juniors", "away": "Racing", "score": "2-1",
                                                          "status": "full time"},
      "Yes: Boca Juniors beat Racing 2-1.")),
    ("quake", fn("get_earthquakes", "Recent earthquakes in a region above a magnitude.",
                 {"region": p("string"), "min_magnitude": p("number")}),
     [("Any earthquakes above magnitude 5 in Chile recently?", {"region": "Chile", "min_magnitude": 5}),
      ("Quakes of 4.5 or more near Crete?", {"region": "Crete", "min_magnitude": 4.5})],
     None),
    ("timer", fn("start_timer", "Start a countdown timer.", {"minutes": p("integer"), "label": p("string")},
                 ["minutes"]),
     [("Set a 12-minute timer for the pasta.", {"minutes": 12, "label": "pasta"}),
      ("Timer: 45 minutes, label it 'bread proofing'.", {"minutes": 45, "label": "bread proofing"})],
     None),
    ("todo", fn("add_todo", "Add a task to the to-do list.", {"task": p("string"), "due": p("string", "YYYY-MM-DD")},
                ["task"]),
     [("Add 'renew passport' to my to-do list, due 2025-10-01.", {"task": "renew passport", "due": "2025-10-01"}),
      ("Put 'call the plumber' on my list.", {"task": "call the plumber"})],
     None),
    ("charger", fn("find_ev_charger", "Electric-vehicle chargers near a place.",
                   {"near": p("string"), "connector": penum(["CCS", "CHAdeMO", "Type 2"])}),
     [("Where can I charge my car with CCS near Bolzano?", {"near": "Bolzano", "connector": "CCS"}),
      ("Type 2 chargers close to Utrecht Centraal?", {"near": "Utrecht Centraal", "connector": "Type 2"})],
     None),
    ("pollen", fn("get_pollen_count", "Today's pollen level for a city.", {"city": p("string")}),
     [("Is the pollen bad in Montpellier today?", {"city": "Montpellier"}),
      ("Pollen count for Kraków?", {"city": "Kraków"})],
     None),
    ("balance", fn("get_account_balance", "Balance of one of the user's bank accounts.",
                   {"account": penum(["current", "savings", "credit card"])}),
     [("How much is in my savings account?", {"account": "savings"}),
      ("What's my credit card balance?", {"account": "credit card"})],
     ("Current account balance?", {"account": "current"}, {"balance": 1532.4, "currency": "EUR"},
      "Your current account holds 1,532.40 EUR.")),
]
# Requests that none of the zoo's tools fit, answered in text.
ZOO_NO_CALL = [
    ("Who wrote Don Quixote?", "Miguel de Cervantes."),
    ("What does a LoRA adapter change in a model?", "It adds small low-rank matrices to chosen weight matrices; "
     "only those are trained."),
    ("Say 'good night' in German.", "Gute Nacht."),
    ("How many minutes are in three hours?", "180 minutes."),
    ("Thanks for the help!", "You're welcome!"),
    ("Which is larger, a kilometre or a mile?", "A mile: it is about 1.61 kilometres."),
    ("Write a one-line greeting for a birthday card.", "Happy birthday: may this year bring you joy and good friends!"),
    ("What colour do you get by mixing blue and yellow?", "Green."),
    ("Is Mistral 7B a mixture-of-experts model?", "No: Mistral 7B is a dense model. Mixtral is the mixture of experts."),
    ("Spell 'necessary' backwards.", "yrassecen"),
    ("Tell me a fun fact about octopuses.", "An octopus has three hearts."),
    ("What is 15 percent of 200?", "30."),
]

# Near misses: the request is about a zoo tool's subject, but asks for knowledge, not for the tool's lookup.
ZOO_NEAR_MISS = [
    ("air", "What causes smog in cities?", "Mostly exhaust and industrial fumes reacting in sunlight, trapped by still air."),
    ("tide", "Why are there two high tides a day?", "The Moon's pull raises a bulge of water on the near side of the "
     "Earth and another on the far side; the Earth turns through both each day."),
    ("crypto", "What is a blockchain, in one sentence?", "A shared ledger of records linked by hashes, so past "
     "entries cannot be changed unnoticed."),
    ("timer", "How long should I boil an egg for a soft yolk?", "About 6 minutes from boiling water."),
    ("mortgage", "What does APR stand for?", "Annual percentage rate."),
    ("sun", "Why is the sky red at sunset?", "Sunlight crosses more air when the Sun is low, and the air scatters away "
     "the blue light, leaving red and orange."),
    ("visa", "What is the difference between a visa and a passport?", "A passport proves who you are and your "
     "nationality; a visa is a country's permission to enter it."),
    ("nutrition", "Is a tomato a fruit?", "Yes, botanically: it grows from the flower and holds the seeds."),
    ("quake", "What scale measures earthquake strength?", "The moment magnitude scale, which replaced the Richter scale."),
    ("score", "How many players does a football team have on the pitch?", "Eleven."),
    ("spell", "What is a synonym for 'happy'?", "Cheerful."),
    ("population", "What is the capital of Uruguay?", "Montevideo."),
]


def build_tool_zoo() -> None:
    rng = random.Random(7321)
    keys = [key for key, *_ in ZOO]
    for key, spec, *_ in ZOO:
        TOOLS[key] = spec
        NAME_TO_KEY[spec["function"]["name"]] = key

    def offered(key: str) -> str:
        others = rng.sample([k for k in keys if k != key], rng.choice([2, 3]))
        chosen = others + [key]
        rng.shuffle(chosen)
        return ",".join(chosen)

    for key, spec, calls, round_trip in ZOO:
        name = spec["function"]["name"]
        for user, args in calls:
            one(offered(key), user, name, args, sub="z_zoo_call")
        if round_trip:
            user, args, result, answer = round_trip
            rt(offered(key), user, name, args, result, answer, sub="z_zoo_round_trip")
    for user, answer in ZOO_NO_CALL:
        trec("z_zoo_no_call", ",".join(rng.sample(keys, 3)), [U(user), A(answer)])
    for key, user, answer in ZOO_NEAR_MISS:
        trec("z_zoo_no_call", offered(key), [U(user), A(answer)])


def main() -> None:
    RECORDS.clear()
    build_json()
    build_tools()
    build_tool_zoo()
    build_rag()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for _, rec in RECORDS:
            f.write(dumps(rec) + "\n")

    kinds, used_tools = validate(OUT)
    subs = Counter(f"{rec['kind']}/{sub}" for sub, rec in RECORDS)
    print(f"wrote {len(RECORDS)} records to {OUT.relative_to(ROOT)}")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:5} {count}")
    for sub, count in sorted(subs.items()):
        print(f"    {sub:24} {count}")
    tool_recs = [rec for _, rec in RECORDS if rec["kind"] == "tool"]
    print(f"  tool records with a system prompt: {sum(r['messages'][0]['role'] == 'system' for r in tool_recs)}, "
          f"with more than one user turn: {sum(sum(m['role'] == 'user' for m in r['messages']) > 1 for r in tool_recs)}, "
          f"ending with a call: {sum(bool(r['messages'][-1].get('tool_calls')) for r in tool_recs)}")
    sizes = sorted(len(dumps(rec)) // 4 for _, rec in RECORDS)
    print(f"  size (chars/4): median {sizes[len(sizes) // 2]}, 90th percentile {sizes[int(len(sizes) * 0.9)]}, "
          f"max {sizes[-1]}")
    print(f"  tools called: {', '.join(sorted(used_tools))}")
    offered = sorted({t['function']['name'] for r in tool_recs for t in r['tools']})
    assert set(offered) == used_tools, set(offered) ^ used_tools
    print("validation passed")


if __name__ == "__main__":
    main()
