"""Instruction data for the workbook assistant: the kinds `arith` and `code`.

    python3 scripts/assistant_data/reasoning.py

Writes data/assistant/train/reasoning.jsonl (record format: data/assistant/README.md), then
re-reads and validates every line. Deterministic (fixed seed): the same file on every run.
Standard library only.

* `arith`: addition and subtraction of 2-3 digit numbers, multiplication by one digit, and one- or
  two-step word problems (shopping, time, distances, counting). Every result is computed here; the
  answers show a short place-value working ("345 + 278: 345 + 200 = 545, ...") and end with the
  result. Some records use the benchmark harness prompt (helpers/bench/harness.py `arithmetic_prompt`,
  answer ending "#### <n>"), some ask for the number only.
* `code`: short type-hinted Python functions. Every function is exec'd here and must pass its own
  asserts; the "fix this function" items also check that the broken version fails. Some records
  use the harness prompt (helpers/bench/harness.py `code_prompt`: signature + docstring, answer = the whole
  function in a ```python block, exactly like the harness's few-shot answers).

Nothing here is taken from data/benchmarks/*.jsonl (the evaluation items); the script checks that
no function name or question coincides with them.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "assistant" / "train" / "reasoning.jsonl"
BENCH = ROOT / "data" / "benchmarks"

rng = random.Random(240135)


def U(text: str) -> dict:
    return {"role": "user", "content": text}


def A(text: str) -> dict:
    return {"role": "assistant", "content": text}


def SYS(text: str) -> dict:
    return {"role": "system", "content": text}


# The same wording as helpers/bench/harness.py (arithmetic_prompt, code_prompt).
def harness_arith_prompt(question: str) -> str:
    return f"Question: {question}\nWork it out, then end with '#### <number>'."


def harness_code_prompt(prompt: str) -> str:
    return f"Complete this Python function. Reply with the whole function in a ```python block.\n\n{prompt}"


# ================================================================================ arithmetic
NAMES = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
         "Liam", "Mona", "Noah", "Olga", "Pablo", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen",
         "Yara", "Zoe", "Marco", "Nadia", "Oscar", "Priya", "Ravi", "Lucie"]
PRONOUN = {n: ("she" if n in {"Ana", "Chloe", "Emma", "Grace", "Ines", "Keiko", "Mona", "Olga", "Rosa",
                              "Tara", "Vera", "Yara", "Zoe", "Nadia", "Priya", "Lucie"} else "he")
           for n in NAMES}


def name() -> str:
    return rng.choice(NAMES)


def digits_split(n: int) -> list[int]:
    """345 -> [300, 40, 5], zero parts dropped."""
    s = str(n)
    parts = [int(d) * 10 ** (len(s) - i - 1) for i, d in enumerate(s)]
    return [p for p in parts if p]


def add_working(a: int, b: int, sym: str = "+") -> str:
    """'345 + 278: 345 + 200 = 545, 545 + 70 = 615, 615 + 8 = 623' or just 'a + b = r'."""
    parts = digits_split(b)
    if len(parts) <= 1:
        return f"{a} {sym} {b} = {a + b}"
    steps, cur = [], a
    for p in parts:
        steps.append(f"{cur} + {p} = {cur + p}")
        cur += p
    return f"{a} {sym} {b}: " + ", ".join(steps)


def sub_working(a: int, b: int) -> str:
    parts = digits_split(b)
    if len(parts) <= 1:
        return f"{a} - {b} = {a - b}"
    steps, cur = [], a
    for p in parts:
        steps.append(f"{cur} - {p} = {cur - p}")
        cur -= p
    return f"{a} - {b}: " + ", ".join(steps)


def mul_working(a: int, d: int, sym: str = "×") -> str:
    parts = digits_split(a)
    if len(parts) <= 1:
        return f"{a} {sym} {d} = {a * d}"
    prods = [p * d for p in parts]
    steps = ", ".join(f"{p} {sym} {d} = {p * d}" for p in parts)
    return f"{a} {sym} {d}: {steps}, and {' + '.join(map(str, prods))} = {sum(prods)}"


def endings(expr: str, r: int) -> str:
    return rng.choice([f"So {expr} = {r}.", f"The answer is {r}.", f"So the result is {r}."])


# ---- plain arithmetic
ADD_Q = ["What is {a} + {b}?", "Compute {a} + {b}.", "how much is {a} plus {b}", "Add {a} and {b}.",
         "{a} + {b} = ?", "What's the sum of {a} and {b}?", "Calculate {a}+{b}", "What do you get if you add {b} to {a}?",
         "{a} plus {b}?", "Please work out {a} + {b}."]
SUB_Q = ["What is {a} - {b}?", "Compute {a} - {b}.", "what's {a} minus {b}", "Subtract {b} from {a}.",
         "What is the difference between {a} and {b}?", "Take {b} away from {a}.", "{a} - {b} = ?",
         "Calculate {a}-{b}", "How much is {a} take away {b}?", "If I subtract {b} from {a}, what do I get?"]
MUL_Q = ["What is {a} × {b}?", "how much is {a} times {b}", "Multiply {a} by {b}.", "Compute {a} * {b}.",
         "What is the product of {a} and {b}?", "{a} x {b}?", "What's {b} times {a}?", "Calculate {a}*{b}",
         "What do {b} lots of {a} make?", "Work out {a} × {b}."]


def plain_add() -> tuple[str, str, int, str]:
    kind = rng.choice(["22", "22", "32", "33", "33"])
    a = rng.randint(10, 99) if kind[0] == "2" else rng.randint(100, 999)
    b = rng.randint(10, 99) if kind[1] == "2" else rng.randint(100, 999)
    if rng.random() < 0.2:
        b = rng.randint(1, 9) * 10
    r = a + b
    q = rng.choice(ADD_Q).format(a=a, b=b)
    w = add_working(a, b)
    ans = f"{w}." if ":" not in w else f"{w}. {endings(f'{a} + {b}', r)}"
    return q, ans, r, f"{a} + {b}"


def plain_sub() -> tuple[str, str, int, str]:
    kind = rng.choice(["22", "22", "32", "33", "33"])
    a = rng.randint(20, 99) if kind[0] == "2" else rng.randint(100, 999)
    b = rng.randint(10, a - 1) if kind[1] == "2" else rng.randint(100, a - 1) if a > 101 else rng.randint(10, a - 1)
    if rng.random() < 0.15:
        b = rng.randint(1, max(1, a // 10 - 1)) * 10
    r = a - b
    q = rng.choice(SUB_Q).format(a=a, b=b)
    w = sub_working(a, b)
    ans = f"{w}." if ":" not in w else f"{w}. {endings(f'{a} - {b}', r)}"
    return q, ans, r, f"{a} - {b}"


def plain_mul() -> tuple[str, str, int, str]:
    a = rng.choice([rng.randint(2, 9), rng.randint(11, 99), rng.randint(11, 99), rng.randint(101, 499)])
    d = rng.randint(2, 9)
    r = a * d
    q = rng.choice(MUL_Q).format(a=a, b=d)
    w = mul_working(a, d)
    ans = f"{w}." if ":" not in w else f"{w}. {endings(f'{a} × {d}', r)}"
    return q, ans, r, f"{a} * {d}"


# ---- word problems: each returns (question, chat answer, harness solution, result)
ITEMS = [("pen", "pens"), ("notepad", "notepads"), ("mug", "mugs"), ("ticket", "tickets"), ("cake", "cakes"),
         ("ball", "balls"), ("scarf", "scarves"), ("candle", "candles"), ("comic", "comics"), ("plant", "plants")]


def wp_unit_price():
    n, (one, many), p = rng.randint(3, 9), rng.choice(ITEMS), rng.randint(3, 25)
    who = name()
    r = n * p
    q = f"A {one} costs {p} euros. {who} buys {n} {many}. How many euros does {who} pay?"
    return q, f"{mul_working(p, n)}. {who} pays {r} euros.", f"{n} {many} cost {n} * {p} = {r} euros.", r


def wp_change():
    n, (_, many), p = rng.randint(2, 6), rng.choice(ITEMS), rng.randint(3, 12)
    cost = n * p
    m = rng.choice([x for x in (20, 50, 100) if x > cost])
    who = name()
    r = m - cost
    q = f"{who} has {m} euros and buys {n} {many} at {p} euros each. How many euros are left?"
    chat = f"First {n} × {p} = {cost}, then {m} - {cost} = {r}. The answer is {r}."
    sol = f"The {many} cost {n} * {p} = {cost} euros. {m} - {cost} = {r} euros are left."
    return q, chat, sol, r


def wp_two_prices():
    (o1, _), (o2, _) = rng.sample(ITEMS, 2)
    a, b = rng.randint(12, 95), rng.randint(12, 95)
    r = a + b
    q = f"A {o1} costs {a} euros and a {o2} costs {b} euros. How much do they cost together?"
    return q, f"{add_working(a, b)}. Together they cost {r} euros.", f"{a} + {b} = {r} euros.", r


def wp_hours_minutes():
    h, m = rng.randint(1, 9), rng.randint(5, 55)
    r = h * 60 + m
    q = rng.choice([f"How many minutes are in {h} hours and {m} minutes?",
                    f"A trip takes {h} h {m} min. How long is that in minutes?"])
    chat = f"First {h} × 60 = {h * 60}, then {h * 60} + {m} = {r}. The answer is {r} minutes."
    sol = f"{h} hours are {h} * 60 = {h * 60} minutes. {h * 60} + {m} = {r} minutes."
    return q, chat, sol, r


def wp_seconds():
    m = rng.randint(2, 9)
    r = m * 60
    q = rng.choice([f"How many seconds are in {m} minutes?", f"A song lasts {m} minutes. How many seconds is that?"])
    return q, f"{m} × 60 = {r}. That is {r} seconds.", f"{m} * 60 = {r} seconds.", r


def wp_days_practice():
    who, act = name(), rng.choice(["practises the piano", "jogs", "reads", "studies French", "paints"])
    m, d = rng.randint(12, 75), rng.randint(3, 7)
    r = m * d
    q = f"{who} {act} for {m} minutes a day. How many minutes is that in {d} days?"
    return q, f"{mul_working(m, d)}. That is {r} minutes.", f"{d} days of {m} minutes is {d} * {m} = {r} minutes.", r


def wp_two_legs():
    who = name()
    a, b = rng.randint(8, 85), rng.randint(8, 85)
    verb = rng.choice(["cycles", "drives", "walks", "rides"])
    r = a + b
    unit = "km"
    q = f"{who} {verb} {a} {unit} in the morning and {b} {unit} in the afternoon. How far is that in total?"
    return q, f"{add_working(a, b)}. That is {r} km in total.", f"{a} + {b} = {r} km.", r


def wp_remaining_distance():
    total = rng.randint(120, 900)
    done = rng.randint(40, total - 20)
    r = total - done
    q = rng.choice([f"A trip is {total} km long. After {done} km, how many kilometres are left?",
                    f"A hiking route is {total} metres long. {name()} has walked {done} metres. How many metres remain?"])
    return q, f"{sub_working(total, done)}. {r} are left.", f"{total} - {done} = {r}.", r


def wp_laps():
    who, m, n = name(), rng.choice([150, 200, 250, 300, 400, 120, 180]), rng.randint(2, 9)
    r = m * n
    q = f"A track is {m} metres around. {who} runs {n} laps. How many metres does {PRONOUN[who]} run?"
    return q, f"{mul_working(m, n)}. {who} runs {r} metres.", f"{n} laps of {m} metres is {n} * {m} = {r} metres.", r


def wp_bags_plus():
    who = name()
    thing = rng.choice(["marbles", "beads", "buttons", "shells", "stickers"])
    n, k, extra = rng.randint(3, 9), rng.randint(6, 25), rng.randint(3, 30)
    r = n * k + extra
    q = f"There are {n} bags with {k} {thing} in each. {who} adds {extra} more {thing}. How many {thing} are there now?"
    chat = f"First {n} × {k} = {n * k}, then {n * k} + {extra} = {r}. The answer is {r}."
    sol = f"The bags hold {n} * {k} = {n * k} {thing}. {n * k} + {extra} = {r} {thing}."
    return q, chat, sol, r


def wp_jar():
    who = name()
    thing = rng.choice(["sweets", "cookies", "grapes", "nuts", "crackers"])
    a = rng.randint(30, 160)
    b = rng.randint(5, a - 5)
    r = a - b
    q = f"A jar holds {a} {thing}. {who} eats {b} of them over a week. How many {thing} are left?"
    return q, f"{sub_working(a, b)}. {r} {thing} are left.", f"{a} - {b} = {r} {thing} are left.", r


def wp_older():
    who = name()
    a, b = rng.randint(6, 45), rng.randint(20, 55)
    rel = rng.choice(["grandmother", "uncle", "aunt", "teacher", "neighbour"])
    r = a + b
    q = f"{who} is {a} years old. {who}'s {rel} is {b} years older. How old is the {rel}?"
    return q, f"{add_working(a, b)}. The {rel} is {r} years old.", f"{a} + {b} = {r} years.", r


def wp_age_gap():
    n1, n2 = rng.sample(NAMES, 2)
    a = rng.randint(30, 90)
    b = rng.randint(5, a - 3)
    r = a - b
    q = f"{n1} is {a} years old and {n2} is {b}. How many years older is {n1}?"
    return q, f"{sub_working(a, b)}. {n1} is {r} years older.", f"{a} - {b} = {r} years.", r


def wp_share():
    who = name()
    thing = rng.choice(["stickers", "cards", "marbles", "coins", "sweets"])
    k = rng.randint(2, 9)
    each = rng.randint(3, 15)
    n = k * each
    q = f"{who} shares {n} {thing} equally among {k} friends. How many {thing} does each friend get?"
    return q, f"{n} ÷ {k} = {each}. Each friend gets {each} {thing}.", f"{n} / {k} = {each} {thing} each.", each


def wp_money_flow():
    who = name()
    a, b = rng.randint(15, 90), rng.randint(10, 60)
    c = rng.randint(5, a + b - 5)
    r = a + b - c
    q = f"{who} has {a} euros, earns {b} euros more, then spends {c} euros. How many euros does {PRONOUN[who]} have now?"
    chat = f"First {a} + {b} = {a + b}, then {a + b} - {c} = {r}. The answer is {r}."
    sol = f"{a} + {b} = {a + b} euros. After spending, {a + b} - {c} = {r} euros."
    return q, chat, sol, r


def wp_legs():
    c, s = rng.randint(3, 20), rng.randint(2, 15)
    r = 2 * c + 4 * s
    q = f"A farm has {c} chickens and {s} sheep. How many legs do they have altogether?"
    chat = f"Chickens: {c} × 2 = {2 * c}. Sheep: {s} × 4 = {4 * s}. Then {2 * c} + {4 * s} = {r}. The answer is {r}."
    sol = f"Chickens have {c} * 2 = {2 * c} legs and sheep have {s} * 4 = {4 * s} legs. {2 * c} + {4 * s} = {r} legs."
    return q, chat, sol, r


def wp_pages_left():
    who = name()
    p = rng.randint(120, 480)
    read = rng.randint(30, p - 10)
    r = p - read
    q = f"A book has {p} pages. {who} has read {read} pages. How many pages are left to read?"
    return q, f"{sub_working(p, read)}. {r} pages are left.", f"{p} - {read} = {r} pages.", r


def wp_tickets():
    p, c = rng.randint(8, 15), rng.randint(3, 7)
    na, nc = rng.randint(1, 4), rng.randint(1, 5)
    r = na * p + nc * c
    q = (f"Museum tickets cost {p} euros for adults and {c} euros for children. "
         f"How much do {na} adult and {nc} child tickets cost?")
    chat = f"First {na} × {p} = {na * p} and {nc} × {c} = {nc * c}, then {na * p} + {nc * c} = {r}. The answer is {r} euros."
    sol = f"Adults: {na} * {p} = {na * p} euros. Children: {nc} * {c} = {nc * c} euros. {na * p} + {nc * c} = {r} euros."
    return q, chat, sol, r


def wp_weeks():
    w = rng.randint(3, 9)
    r = 7 * w
    q = rng.choice([f"How many days are in {w} weeks?", f"A holiday lasts {w} weeks. How many days is that?"])
    return q, f"{w} × 7 = {r}. That is {r} days.", f"{w} * 7 = {r} days.", r


def wp_film_left():
    who, m = name(), rng.randint(85, 170)
    w = rng.randint(20, m - 10)
    r = m - w
    q = f"A film lasts {m} minutes. {who} has watched {w} minutes. How many minutes are left?"
    return q, f"{sub_working(m, w)}. {r} minutes are left.", f"{m} - {w} = {r} minutes.", r


def wp_boxes_minus():
    who = name()
    thing = rng.choice(["eggs", "oranges", "bottles", "tiles", "cups"])
    n, k = rng.randint(3, 8), rng.randint(6, 24)
    broken = rng.randint(2, n * k // 3)
    r = n * k - broken
    q = f"{who} gets {n} crates of {k} {thing}. {broken} {thing} are damaged. How many good {thing} are there?"
    chat = f"First {n} × {k} = {n * k}, then {n * k} - {broken} = {r}. The answer is {r}."
    sol = f"{n} * {k} = {n * k} {thing} in all. {n * k} - {broken} = {r} good {thing}."
    return q, chat, sol, r


def wp_class_total():
    g, b = rng.randint(9, 19), rng.randint(9, 19)
    n = rng.randint(2, 5)
    r = n * (g + b)
    q = f"Each class in a school has {g} girls and {b} boys. How many pupils are in {n} classes?"
    chat = f"First {g} + {b} = {g + b}, then {g + b} × {n} = {r}. The answer is {r}."
    sol = f"One class has {g} + {b} = {g + b} pupils. {n} * {g + b} = {r} pupils."
    return q, chat, sol, r


WORD = [wp_unit_price, wp_change, wp_two_prices, wp_hours_minutes, wp_seconds, wp_days_practice, wp_two_legs,
        wp_remaining_distance, wp_laps, wp_bags_plus, wp_jar, wp_older, wp_age_gap, wp_share, wp_money_flow,
        wp_legs, wp_pages_left, wp_tickets, wp_weeks, wp_film_left, wp_boxes_minus, wp_class_total]

ONLY_NUMBER = ["{q}\nReply with only the number.", "Reply with only the number. {q}", "{q} Answer with just the number.",
               "{q} Only the number, please.", "Give only the final number: {q}"]

ARITH_SYSTEMS = ["You are a helpful assistant.", "You are a careful maths tutor. Keep answers short.",
                 "Answer briefly."]

ARITH: list[tuple[dict, int]] = []  # (record, expected final number)
_seen_q: set[str] = set()


def unique(gen):
    for _ in range(200):
        out = gen()
        if out[0] not in _seen_q:
            _seen_q.add(out[0])
            return out
    raise RuntimeError("could not find a fresh question")


def arith_record(messages: list[dict], expected: int) -> None:
    if rng.random() < 0.08 and messages[0]["role"] != "system":
        messages = [SYS(rng.choice(ARITH_SYSTEMS)), *messages]
    ARITH.append(({"kind": "arith", "messages": messages}, expected))


def build_arith() -> None:
    # plain chat arithmetic: 18 additions, 18 subtractions, 16 multiplications
    for gen, count in ((plain_add, 18), (plain_sub, 18), (plain_mul, 16)):
        for _ in range(count):
            q, ans, r, _ = unique(gen)
            arith_record([U(q), A(ans)], r)
    # word problems in chat style: 32 (every template at least once)
    order = WORD + [rng.choice(WORD) for _ in range(32 - len(WORD))]
    for gen in order:
        q, chat, _, r = unique(gen)
        arith_record([U(q), A(chat)], r)
    # harness format (helpers/bench/harness.py): 18 word problems + 7 plain; 4 of them after solved examples
    harness = [unique(rng.choice(WORD)) for _ in range(18)]
    for gen in (plain_add, plain_sub, plain_mul, plain_add, plain_sub, plain_mul, plain_mul):
        q, _, r, expr = unique(gen)
        op = {"+": "+", "-": "-", "*": "*"}[expr.split()[1]]
        a, b = expr.split()[0], expr.split()[2]
        question = rng.choice([f"What is {a} {op} {b}?", f"Compute {a} {op} {b}."]).replace("*", "*")
        _seen_q.add(question)
        if op == "+":
            sol = add_working(int(a), int(b)) + "."
        elif op == "-":
            sol = sub_working(int(a), int(b)) + "."
        else:
            sol = mul_working(int(a), int(b), "*") + "."
        harness.append((question, None, sol, r))
    rng.shuffle(harness)
    for i, (q, _, sol, r) in enumerate(harness):
        msgs: list[dict] = []
        if i < 4:  # the harness sends solved examples first; give some records that shape
            for _ in range(1 + i % 3):
                sq, _, ssol, sr = unique(rng.choice(WORD))
                msgs += [U(harness_arith_prompt(sq)), A(f"{ssol}\n#### {sr}")]
        msgs += [U(harness_arith_prompt(q)), A(f"{sol}\n#### {r}")]
        arith_record(msgs, r)
    # "only the number": 15
    for i in range(15):
        gen = [plain_add, plain_sub, plain_mul][i % 3] if i < 9 else rng.choice(WORD)
        out = unique(gen)
        q, r = out[0], (out[2] if gen in (plain_add, plain_sub, plain_mul) else out[3])
        arith_record([U(rng.choice(ONLY_NUMBER).format(q=q)), A(str(r))], r)


# ====================================================================================== code
class Task:
    def __init__(self, name, params, ret, doc, body, example, tests, broken=None, why=None):
        self.name, self.params, self.ret, self.doc = name, params, ret, doc
        self.body = "".join("    " + line + "\n" for line in body.split("\n"))
        self.example, self.tests = example, tests
        self.broken = None if broken is None else "".join("    " + ln + "\n" for ln in broken.split("\n"))
        self.why = why

    @property
    def header(self) -> str:
        return f"def {self.name}({self.params}) -> {self.ret}:\n"

    @property
    def arg_names(self) -> str:
        return ", ".join(p.split(":")[0].strip() for p in split_params(self.params))

    def code(self, body: str | None = None) -> str:
        return self.header + (body or self.body)


def split_params(params: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [p for p in (out + [cur]) if p.strip()]


T = Task
TASKS = [
    # ---------------------------------------------------------------- strings
    T("word_count", "text: str", "int", "Return the number of space-separated words in text.",
      "return len(text.split())", 'word_count("the cat sat")',
      ['word_count("the cat sat") == 3', 'word_count("") == 0', 'word_count("  one  ") == 1']),
    T("shout", "text: str", "str", "Return text in upper case followed by an exclamation mark.",
      'return text.upper() + "!"', 'shout("hello")', ['shout("hello") == "HELLO!"', 'shout("") == "!"']),
    T("initials", "full_name: str", "str", "Return the upper-case initials of a full name.",
      'return "".join(part[0].upper() for part in full_name.split())', 'initials("ada lovelace")',
      ['initials("ada lovelace") == "AL"', 'initials("Grace Brewster Hopper") == "GBH"', 'initials("x") == "X"'],
      broken='return "".join(part[0] for part in full_name.split())',
      why="The first letters also have to be turned into upper case with `.upper()`."),
    T("reverse_words", "sentence: str", "str", "Return the sentence with its words in reverse order.",
      'return " ".join(sentence.split()[::-1])', 'reverse_words("one two three")',
      ['reverse_words("one two three") == "three two one"', 'reverse_words("solo") == "solo"', 'reverse_words("") == ""'],
      broken="return sentence[::-1]",
      why="`sentence[::-1]` reverses the characters; split into words first, then reverse the list."),
    T("count_char", "text: str, ch: str", "int", "Count how many times the character ch occurs in text.",
      "return text.count(ch)", 'count_char("banana", "a")',
      ['count_char("banana", "a") == 3', 'count_char("banana", "z") == 0', 'count_char("", "a") == 0']),
    T("remove_spaces", "text: str", "str", "Remove every space from text.", 'return text.replace(" ", "")',
      'remove_spaces("a b  c")', ['remove_spaces("a b  c") == "abc"', 'remove_spaces("") == ""']),
    T("first_word", "sentence: str", "str", 'Return the first word of sentence, or "" if it has no words.',
      'words = sentence.split()\nreturn words[0] if words else ""', 'first_word("hello there")',
      ['first_word("hello there") == "hello"', 'first_word("   ") == ""', 'first_word("  hi") == "hi"']),
    T("last_char", "text: str", "str", 'Return the last character of text, or "" if text is empty.',
      "return text[-1:]", 'last_char("python")', ['last_char("python") == "n"', 'last_char("") == ""']),
    T("repeat_word", "word: str, times: int", "str", "Return word repeated the given number of times, separated by single spaces.",
      'return " ".join([word] * times)', 'repeat_word("go", 3)',
      ['repeat_word("go", 3) == "go go go"', 'repeat_word("hi", 1) == "hi"', 'repeat_word("x", 0) == ""']),
    T("zero_pad", "n: int, width: int", "str", "Return n as a string padded with leading zeros to the given width.",
      "return str(n).zfill(width)", "zero_pad(42, 5)",
      ['zero_pad(42, 5) == "00042"', 'zero_pad(12345, 3) == "12345"', 'zero_pad(7, 2) == "07"']),
    T("title_case", "text: str", "str", "Capitalize the first letter of every word and lower-case the rest.",
      'return " ".join(word.capitalize() for word in text.split())', 'title_case("the old MAN")',
      ['title_case("the old MAN") == "The Old Man"', 'title_case("a") == "A"', 'title_case("") == ""'],
      broken="return text.capitalize()",
      why="`str.capitalize()` only capitalizes the first letter of the whole string; apply it to each word."),
    T("only_digits", "text: str", "bool", "Return True if text is non-empty and contains only the digits 0-9.",
      'return text != "" and all(ch in "0123456789" for ch in text)', 'only_digits("2024")',
      ['only_digits("2024") is True', 'only_digits("20a4") is False', 'only_digits("") is False']),
    T("starts_upper", "word: str", "bool", "Return True if word starts with an upper-case letter.",
      "return word[:1].isupper()", 'starts_upper("Paris")',
      ['starts_upper("Paris") is True', 'starts_upper("paris") is False', 'starts_upper("") is False']),
    T("count_upper", "text: str", "int", "Count the upper-case letters in text.",
      "return sum(1 for ch in text if ch.isupper())", 'count_upper("Hello World")',
      ['count_upper("Hello World") == 2', 'count_upper("abc") == 0', 'count_upper("ABC") == 3']),
    T("longest_word", "sentence: str", "str", "Return the longest word in sentence; if several tie, the first one.",
      "return max(sentence.split(), key=len)", 'longest_word("a quick brown fox")',
      ['longest_word("a quick brown fox") == "quick"', 'longest_word("hi") == "hi"', 'longest_word("ab cd") == "ab"']),
    T("strip_punctuation", "text: str", "str", "Remove the characters . , ! and ? from text.",
      'return "".join(ch for ch in text if ch not in ".,!?")', 'strip_punctuation("Hi, you!")',
      ['strip_punctuation("Hi, you!") == "Hi you"', 'strip_punctuation("ok?!") == "ok"', 'strip_punctuation("") == ""']),
    T("invert_case", "text: str", "str", "Turn upper-case letters into lower case and lower-case letters into upper case.",
      "return text.swapcase()", 'invert_case("PyThon")', ['invert_case("PyThon") == "pYtHON"', 'invert_case("123") == "123"']),
    T("censor", "text: str, word: str", "str", "Replace every occurrence of word in text with asterisks of the same length.",
      'return text.replace(word, "*" * len(word))', 'censor("bad day, bad luck", "bad")',
      ['censor("bad day, bad luck", "bad") == "*** day, *** luck"', 'censor("fine", "bad") == "fine"']),
    T("char_frequency", "text: str", "dict[str, int]", "Map each character of text to the number of times it appears.",
      "counts: dict[str, int] = {}\nfor ch in text:\n    counts[ch] = counts.get(ch, 0) + 1\nreturn counts",
      'char_frequency("abca")',
      ['char_frequency("abca") == {"a": 2, "b": 1, "c": 1}', 'char_frequency("") == {}']),
    T("is_anagram", "first: str, second: str", "bool", "Return True if the two strings use the same letters, ignoring case and spaces.",
      'def clean(s: str) -> list[str]:\n    return sorted(s.replace(" ", "").lower())\nreturn clean(first) == clean(second)',
      'is_anagram("Listen", "Silent")',
      ['is_anagram("Listen", "Silent") is True', 'is_anagram("dormitory", "dirty room") is True', 'is_anagram("abc", "abd") is False']),
    T("double_chars", "text: str", "str", "Return text with every character written twice.",
      'return "".join(ch * 2 for ch in text)', 'double_chars("ab!")',
      ['double_chars("ab!") == "aabb!!"', 'double_chars("") == ""']),
    T("mask_card", "number: str", "str", 'Replace every character except the last four with "#".',
      'return "#" * (len(number) - 4) + number[-4:]', 'mask_card("1234567812345678")',
      ['mask_card("1234567812345678") == "############5678"', 'mask_card("123") == "123"', 'mask_card("98765") == "#8765"'],
      broken='return "#" * len(number) + number[-4:]',
      why="Only `len(number) - 4` characters should be hidden; the old version added four extra characters."),
    T("truncate", "text: str, limit: int", "str", 'Cut text to limit characters and add "..." only if it was cut.',
      'if len(text) <= limit:\n    return text\nreturn text[:limit] + "..."', 'truncate("Hello world", 5)',
      ['truncate("Hello world", 5) == "Hello..."', 'truncate("Hi", 5) == "Hi"', 'truncate("abcde", 5) == "abcde"'],
      broken='return text[:limit] + "..."',
      why='Short texts must come back unchanged; "..." is added only when the text is longer than the limit.'),
    T("snake_to_camel", "name: str", "str", 'Convert a snake_case name to camelCase, e.g. "max_speed" to "maxSpeed".',
      'first, *rest = name.split("_")\nreturn first + "".join(part.capitalize() for part in rest)',
      'snake_to_camel("max_speed_limit")',
      ['snake_to_camel("max_speed_limit") == "maxSpeedLimit"', 'snake_to_camel("speed") == "speed"']),
    T("camel_to_snake", "name: str", "str", 'Convert a camelCase name to snake_case, e.g. "userId" to "user_id".',
      'return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)', 'camel_to_snake("userIdValue")',
      ['camel_to_snake("userIdValue") == "user_id_value"', 'camel_to_snake("plain") == "plain"']),
    T("count_starting_with", "text: str, letter: str", "int", "Count the words in text that start with letter, ignoring case.",
      "return sum(1 for word in text.split() if word.lower().startswith(letter.lower()))",
      'count_starting_with("Sun sea and sand", "s")',
      ['count_starting_with("Sun sea and sand", "s") == 3', 'count_starting_with("", "a") == 0',
       'count_starting_with("Apple avocado", "A") == 2']),
    T("parse_key_value", "pair: str", "tuple[str, str]", 'Split a "key=value" string into (key, value), stripping spaces.',
      'key, value = pair.split("=", 1)\nreturn key.strip(), value.strip()', 'parse_key_value("color = blue")',
      ['parse_key_value("color = blue") == ("color", "blue")', 'parse_key_value("a=b=c") == ("a", "b=c")']),
    T("parse_int_list", "line: str", "list[int]", 'Parse a comma-separated string such as "4, 8,15" into a list of ints.',
      'return [int(part) for part in line.split(",")]', 'parse_int_list("4, 8,15")',
      ['parse_int_list("4, 8,15") == [4, 8, 15]', 'parse_int_list("7") == [7]', 'parse_int_list("-1,2") == [-1, 2]']),
    T("minutes_since_midnight", "clock: str", "int", 'Convert a time written "HH:MM" into minutes after midnight.',
      'hours, minutes = clock.split(":")\nreturn int(hours) * 60 + int(minutes)', 'minutes_since_midnight("07:30")',
      ['minutes_since_midnight("07:30") == 450', 'minutes_since_midnight("00:00") == 0', 'minutes_since_midnight("23:59") == 1439'],
      broken='hours, minutes = clock.split(":")\nreturn int(hours) * 100 + int(minutes)',
      why="An hour has 60 minutes, not 100, so the hours must be multiplied by 60."),
    T("format_duration", "total_minutes: int", "str", 'Format a number of minutes as "H:MM", e.g. 125 becomes "2:05".',
      'return f"{total_minutes // 60}:{total_minutes % 60:02d}"', "format_duration(125)",
      ['format_duration(125) == "2:05"', 'format_duration(60) == "1:00"', 'format_duration(59) == "0:59"'],
      broken='return f"{total_minutes // 60}:{total_minutes % 60}"',
      why="The minutes need two digits, so format them with `:02d`."),
    T("file_extension", "filename: str", "str", 'Return the text after the last dot of filename, or "" if it has no dot.',
      'if "." not in filename:\n    return ""\nreturn filename.rsplit(".", 1)[1]', 'file_extension("backup.tar.gz")',
      ['file_extension("backup.tar.gz") == "gz"', 'file_extension("notes.txt") == "txt"', 'file_extension("README") == ""'],
      broken='return filename.split(".")[1]',
      why='`split(".")[1]` takes the part after the first dot and fails with no dot; use `rsplit(".", 1)` and check for a dot.'),
    T("parse_query", "query: str", "dict[str, str]", 'Parse a query string such as "a=1&b=2" into a dict of strings.',
      'return dict(part.split("=", 1) for part in query.split("&") if part)', 'parse_query("page=2&sort=new")',
      ['parse_query("page=2&sort=new") == {"page": "2", "sort": "new"}', 'parse_query("") == {}']),
    T("email_domain", "email: str", "str", 'Return the part of an e-mail address after the "@".',
      'return email.split("@", 1)[1]', 'email_domain("ines@example.org")',
      ['email_domain("ines@example.org") == "example.org"', 'email_domain("a@b.c") == "b.c"']),
    T("count_nonblank_lines", "text: str", "int", "Count the lines of text that are not empty or only whitespace.",
      "return sum(1 for line in text.splitlines() if line.strip())", 'count_nonblank_lines("a\\n\\n  \\nb")',
      ['count_nonblank_lines("a\\n\\n  \\nb") == 2', 'count_nonblank_lines("") == 0']),
    T("sum_digit_chars", "text: str", "int", "Return the sum of all digit characters in text.",
      "return sum(int(ch) for ch in text if ch.isdigit())", 'sum_digit_chars("a1b2c3")',
      ['sum_digit_chars("a1b2c3") == 6', 'sum_digit_chars("none") == 0', 'sum_digit_chars("99") == 18']),
    T("extract_numbers", "text: str", "list[int]", "Return the whole numbers that appear as separate words in text.",
      "return [int(word) for word in text.split() if word.isdigit()]", 'extract_numbers("I have 3 cats and 12 fish")',
      ['extract_numbers("I have 3 cats and 12 fish") == [3, 12]', 'extract_numbers("no numbers") == []']),
    T("caesar_shift", "text: str, shift: int", "str", "Shift each lower-case letter shift places along the alphabet, wrapping around; keep other characters.",
      'out = ""\nfor ch in text:\n    if "a" <= ch <= "z":\n        ch = chr((ord(ch) - ord("a") + shift) % 26 + ord("a"))\n    out += ch\nreturn out',
      'caesar_shift("xyz abc", 2)',
      ['caesar_shift("xyz abc", 2) == "zab cde"', 'caesar_shift("hello", 0) == "hello"', 'caesar_shift("b!", -1) == "a!"']),
    T("is_pangram", "text: str", "bool", "Return True if text contains every letter from a to z at least once, ignoring case.",
      'return set("abcdefghijklmnopqrstuvwxyz") <= set(text.lower())',
      'is_pangram("The quick brown fox jumps over the lazy dog")',
      ['is_pangram("The quick brown fox jumps over the lazy dog") is True', 'is_pangram("hello") is False']),
    T("run_length", "text: str", "str", 'Encode text as runs of letter and count, e.g. "aaabcc" becomes "a3b1c2".',
      'out = ""\ni = 0\nwhile i < len(text):\n    j = i\n    while j < len(text) and text[j] == text[i]:\n        j += 1\n    out += f"{text[i]}{j - i}"\n    i = j\nreturn out',
      'run_length("aaabcc")', ['run_length("aaabcc") == "a3b1c2"', 'run_length("") == ""', 'run_length("zz") == "z2"']),
    T("most_common_char", "text: str", "str", "Return the character that appears most often in text; if several tie, the first one.",
      "return max(text, key=text.count)", 'most_common_char("mississippi")',
      ['most_common_char("mississippi") == "i"', 'most_common_char("abc") == "a"']),
    T("wrap_tag", "text: str, tag: str", "str", 'Wrap text in an HTML tag, e.g. ("hi", "b") gives "<b>hi</b>".',
      'return f"<{tag}>{text}</{tag}>"', 'wrap_tag("hi", "em")', ['wrap_tag("hi", "em") == "<em>hi</em>"', 'wrap_tag("", "p") == "<p></p>"']),
    T("greet", "name: str", "str", 'Return a greeting of the form "Hello, <name>!".',
      'return f"Hello, {name}!"', 'greet("Ada")', ['greet("Ada") == "Hello, Ada!"', 'greet("") == "Hello, !"']),
    T("join_with_and", "items: list[str]", "str", 'Join items as "a, b and c"; one item stays as it is and no items give "".',
      'if len(items) <= 1:\n    return "".join(items)\nreturn ", ".join(items[:-1]) + " and " + items[-1]',
      'join_with_and(["tea", "milk", "sugar"])',
      ['join_with_and(["tea", "milk", "sugar"]) == "tea, milk and sugar"', 'join_with_and(["x"]) == "x"',
       'join_with_and([]) == ""', 'join_with_and(["a", "b"]) == "a and b"']),
    T("pluralize", "word: str, count: int", "str", 'Return count and word, adding "s" unless count is 1, e.g. "3 cats".',
      'if count == 1:\n    return f"1 {word}"\nreturn f"{count} {word}s"', 'pluralize("dog", 3)',
      ['pluralize("dog", 3) == "3 dogs"', 'pluralize("dog", 1) == "1 dog"', 'pluralize("cup", 0) == "0 cups"']),
    T("ordinal", "n: int", "str", 'Return n with its English ordinal suffix: 1st, 2nd, 3rd, 4th, 11th, 22nd ...',
      'if 10 <= n % 100 <= 20:\n    return f"{n}th"\nsuffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")\nreturn f"{n}{suffix}"',
      "ordinal(22)", ['ordinal(22) == "22nd"', 'ordinal(11) == "11th"', 'ordinal(3) == "3rd"', 'ordinal(104) == "104th"']),
    T("to_binary", "n: int", "str", "Return the binary digits of a non-negative integer as a string.",
      'return bin(n)[2:]', "to_binary(10)", ['to_binary(10) == "1010"', 'to_binary(0) == "0"', 'to_binary(1) == "1"']),
    T("from_binary", "bits: str", "int", 'Convert a string of binary digits such as "1101" to an integer.',
      "return int(bits, 2)", 'from_binary("1101")', ['from_binary("1101") == 13', 'from_binary("0") == 0']),
    T("rgb_to_hex", "red: int, green: int, blue: int", "str", 'Return the colour as a lower-case hex string such as "#ff8000".',
      'return f"#{red:02x}{green:02x}{blue:02x}"', "rgb_to_hex(255, 128, 0)",
      ['rgb_to_hex(255, 128, 0) == "#ff8000"', 'rgb_to_hex(0, 0, 0) == "#000000"']),
    T("mirror", "text: str", "str", 'Return text followed by its reverse, e.g. "ab" becomes "abba".',
      "return text + text[::-1]", 'mirror("abc")', ['mirror("abc") == "abccba"', 'mirror("") == ""']),
    T("alternate_caps", "text: str", "str", "Upper-case the characters at even positions and lower-case the others.",
      'return "".join(ch.upper() if i % 2 == 0 else ch.lower() for i, ch in enumerate(text))', 'alternate_caps("hello")',
      ['alternate_caps("hello") == "HeLlO"', 'alternate_caps("AB") == "Ab"']),
    T("contains_ignore_case", "needle: str, haystack: str", "bool", "Return True if needle occurs in haystack, ignoring case.",
      "return needle.lower() in haystack.lower()", 'contains_ignore_case("WORLD", "Hello world")',
      ['contains_ignore_case("WORLD", "Hello world") is True', 'contains_ignore_case("x", "abc") is False']),
    T("common_prefix", "first: str, second: str", "str", "Return the longest prefix that the two strings share.",
      'prefix = ""\nfor a, b in zip(first, second):\n    if a != b:\n        break\n    prefix += a\nreturn prefix',
      'common_prefix("interview", "internet")',
      ['common_prefix("interview", "internet") == "inter"', 'common_prefix("abc", "xyz") == ""', 'common_prefix("same", "same") == "same"']),
    T("slugify", "title: str", "str", 'Turn a title into a URL slug: lower case, only letters, digits and spaces kept, spaces become "-".',
      'kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch == " ")\nreturn "-".join(kept.split())',
      'slugify("Hello, World 2!")', ['slugify("Hello, World 2!") == "hello-world-2"', 'slugify("  A  b ") == "a-b"']),
    T("count_letters", "text: str", "int", "Count the alphabetic characters in text.",
      "return sum(1 for ch in text if ch.isalpha())", 'count_letters("R2-D2 and C-3PO")',
      ['count_letters("R2-D2 and C-3PO") == 8', 'count_letters("123") == 0']),
    T("is_valid_password", "password: str", "bool", "Return True if password has at least 8 characters and at least one digit.",
      "return len(password) >= 8 and any(ch.isdigit() for ch in password)", 'is_valid_password("sunshine7")',
      ['is_valid_password("sunshine7") is True', 'is_valid_password("sunshine") is False', 'is_valid_password("ab1") is False']),
    T("capitalize_names", "names: list[str]", "list[str]", "Return the names with the first letter in upper case and the rest in lower case.",
      "return [n.capitalize() for n in names]", 'capitalize_names(["aDA", "bob"])',
      ['capitalize_names(["aDA", "bob"]) == ["Ada", "Bob"]', 'capitalize_names([]) == []']),
    T("join_numbers", "numbers: list[int], sep: str", "str", 'Join the numbers into one string with sep between them, e.g. "1-2-3".',
      "return sep.join(str(n) for n in numbers)", 'join_numbers([1, 2, 3], "-")',
      ['join_numbers([1, 2, 3], "-") == "1-2-3"', 'join_numbers([], ",") == ""', 'join_numbers([10], "+") == "10"']),
    # ---------------------------------------------------------------- lists
    T("has_duplicates", "items: list[int]", "bool", "Return True if any value appears more than once in items.",
      "return len(set(items)) != len(items)", "has_duplicates([1, 2, 3, 2])",
      ["has_duplicates([1, 2, 3, 2]) is True", "has_duplicates([1, 2, 3]) is False", "has_duplicates([]) is False"]),
    T("rotate_left", "items: list[int], k: int", "list[int]", "Return items rotated k positions to the left.",
      "if not items:\n    return []\nk %= len(items)\nreturn items[k:] + items[:k]", "rotate_left([1, 2, 3, 4, 5], 2)",
      ["rotate_left([1, 2, 3, 4, 5], 2) == [3, 4, 5, 1, 2]", "rotate_left([1, 2], 3) == [2, 1]", "rotate_left([], 4) == []"]),
    T("dedupe", "items: list[int]", "list[int]", "Remove repeated values, keeping the first occurrence of each in the original order.",
      "return list(dict.fromkeys(items))", "dedupe([3, 1, 3, 2, 1])",
      ["dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]", "dedupe([]) == []", "dedupe([5, 5]) == [5]"],
      broken="return list(set(items))",
      why="A set does not keep the original order; `dict.fromkeys` removes repeats and keeps it."),
    T("only_evens", "numbers: list[int]", "list[int]", "Return the even numbers of the list, in order.",
      "return [n for n in numbers if n % 2 == 0]", "only_evens([1, 2, 3, 4, 6])",
      ["only_evens([1, 2, 3, 4, 6]) == [2, 4, 6]", "only_evens([1, 3]) == []", "only_evens([-2, 0]) == [-2, 0]"]),
    T("positives", "numbers: list[int]", "list[int]", "Return the numbers that are greater than zero.",
      "return [n for n in numbers if n > 0]", "positives([-1, 0, 5, 2])",
      ["positives([-1, 0, 5, 2]) == [5, 2]", "positives([]) == []"]),
    T("count_negatives", "numbers: list[int]", "int", "Count the numbers that are below zero.",
      "return sum(1 for n in numbers if n < 0)", "count_negatives([3, -1, -7, 0])",
      ["count_negatives([3, -1, -7, 0]) == 2", "count_negatives([]) == 0"]),
    T("sum_of_squares", "numbers: list[int]", "int", "Return the sum of the squares of the numbers.",
      "return sum(n * n for n in numbers)", "sum_of_squares([1, 2, 3])",
      ["sum_of_squares([1, 2, 3]) == 14", "sum_of_squares([]) == 0", "sum_of_squares([-2]) == 4"]),
    T("mean", "numbers: list[float]", "float", "Return the average of numbers, or 0.0 for an empty list.",
      "if not numbers:\n    return 0.0\nreturn sum(numbers) / len(numbers)", "mean([2, 4, 9])",
      ["mean([2, 4, 9]) == 5.0", "mean([]) == 0.0", "mean([1.5]) == 1.5"],
      broken="return sum(numbers) / len(numbers)",
      why="An empty list made it divide by zero; it now returns 0.0 in that case."),
    T("product", "numbers: list[int]", "int", "Multiply all the numbers together; an empty list gives 1.",
      "result = 1\nfor n in numbers:\n    result *= n\nreturn result", "product([2, 3, 4])",
      ["product([2, 3, 4]) == 24", "product([]) == 1", "product([5, 0]) == 0"],
      broken="result = 0\nfor n in numbers:\n    result *= n\nreturn result",
      why="Starting from 0 makes every product 0; a product has to start from 1."),
    T("value_range", "numbers: list[int]", "int", "Return the difference between the largest and the smallest number.",
      "return max(numbers) - min(numbers)", "value_range([4, 9, 1, 7])",
      ["value_range([4, 9, 1, 7]) == 8", "value_range([5]) == 0"]),
    T("index_of_max", "numbers: list[int]", "int", "Return the position of the largest number (the first one if it repeats).",
      "return numbers.index(max(numbers))", "index_of_max([3, 8, 2, 8])",
      ["index_of_max([3, 8, 2, 8]) == 1", "index_of_max([7]) == 0", "index_of_max([-5, -2, -9]) == 1"],
      broken="return max(numbers)",
      why="`max` gives the largest value; `numbers.index(...)` turns it into its position."),
    T("smallest", "numbers: list[int]", "int", "Return the smallest number without using min().",
      "best = numbers[0]\nfor n in numbers[1:]:\n    if n < best:\n        best = n\nreturn best", "smallest([5, 3, 8])",
      ["smallest([5, 3, 8]) == 3", "smallest([4]) == 4", "smallest([2, -6, 0]) == -6"],
      broken="best = 0\nfor n in numbers:\n    if n < best:\n        best = n\nreturn best",
      why="Starting from 0 fails when every number is positive; start from the first item instead."),
    T("count_above", "numbers: list[int], limit: int", "int", "Count the numbers that are strictly greater than limit.",
      "return sum(1 for n in numbers if n > limit)", "count_above([1, 5, 7, 5], 4)",
      ["count_above([1, 5, 7, 5], 4) == 3", "count_above([1, 2], 2) == 0"]),
    T("flatten", "nested: list[list[int]]", "list[int]", "Flatten a list of lists into one list, keeping the order.",
      "return [x for inner in nested for x in inner]", "flatten([[1, 2], [3], []])",
      ["flatten([[1, 2], [3], []]) == [1, 2, 3]", "flatten([]) == []"]),
    T("chunk", "items: list[int], size: int", "list[list[int]]", "Split items into consecutive pieces of length size (the last may be shorter).",
      "return [items[i:i + size] for i in range(0, len(items), size)]", "chunk([1, 2, 3, 4, 5], 2)",
      ["chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]", "chunk([], 3) == []", "chunk([1, 2], 2) == [[1, 2]]"],
      broken="return [items[i:i + size] for i in range(0, len(items) - size, size)]",
      why="The range has to go up to `len(items)`, otherwise the last piece is lost."),
    T("interleave", "first: list[int], second: list[int]", "list[int]", "Alternate the items of two lists of equal length: first[0], second[0], first[1], ...",
      "return [x for pair in zip(first, second) for x in pair]", "interleave([1, 3], [2, 4])",
      ["interleave([1, 3], [2, 4]) == [1, 2, 3, 4]", "interleave([], []) == []"]),
    T("add_lists", "first: list[int], second: list[int]", "list[int]", "Add two lists element by element.",
      "return [a + b for a, b in zip(first, second)]", "add_lists([1, 2, 3], [10, 20, 30])",
      ["add_lists([1, 2, 3], [10, 20, 30]) == [11, 22, 33]", "add_lists([], []) == []"]),
    T("differences", "numbers: list[int]", "list[int]", "Return the differences between neighbouring numbers (next minus current).",
      "return [b - a for a, b in zip(numbers, numbers[1:])]", "differences([1, 4, 9, 16])",
      ["differences([1, 4, 9, 16]) == [3, 5, 7]", "differences([5]) == []"]),
    T("is_sorted", "numbers: list[int]", "bool", "Return True if the numbers are in non-decreasing order.",
      "return all(a <= b for a, b in zip(numbers, numbers[1:]))", "is_sorted([1, 2, 2, 5])",
      ["is_sorted([1, 2, 2, 5]) is True", "is_sorted([3, 1]) is False", "is_sorted([]) is True"],
      broken="return all(a < b for a, b in zip(numbers, numbers[1:]))",
      why="Equal neighbours are allowed in non-decreasing order, so the comparison must be `<=`."),
    T("last_n", "items: list[int], n: int", "list[int]", "Return the last n items of the list (an empty list when n is 0).",
      "if n <= 0:\n    return []\nreturn items[-n:]", "last_n([1, 2, 3, 4], 2)",
      ["last_n([1, 2, 3, 4], 2) == [3, 4]", "last_n([1, 2], 0) == []", "last_n([1, 2], 5) == [1, 2]"],
      broken="return items[-n:]",
      why="`items[-0:]` is the whole list, so n = 0 needs its own case."),
    T("every_other", "items: list[int]", "list[int]", "Return the items at positions 0, 2, 4, ...",
      "return items[::2]", "every_other([5, 6, 7, 8, 9])", ["every_other([5, 6, 7, 8, 9]) == [5, 7, 9]", "every_other([]) == []"]),
    T("count_true", "flags: list[bool]", "int", "Count how many values in flags are True.",
      "return sum(1 for flag in flags if flag)", "count_true([True, False, True])",
      ["count_true([True, False, True]) == 2", "count_true([]) == 0"]),
    T("all_equal", "items: list[int]", "bool", "Return True if every item has the same value (True for an empty list).",
      "return len(set(items)) <= 1", "all_equal([4, 4, 4])",
      ["all_equal([4, 4, 4]) is True", "all_equal([4, 5]) is False", "all_equal([]) is True"]),
    T("common_elements", "first: list[int], second: list[int]", "list[int]", "Return the values found in both lists, sorted, without repeats.",
      "return sorted(set(first) & set(second))", "common_elements([3, 1, 2, 2], [2, 3, 5])",
      ["common_elements([3, 1, 2, 2], [2, 3, 5]) == [2, 3]", "common_elements([1], [2]) == []"]),
    T("unique_sorted_words", "words: list[str]", "list[str]", "Return the distinct words in alphabetical order.",
      "return sorted(set(words))", 'unique_sorted_words(["pear", "apple", "pear"])',
      ['unique_sorted_words(["pear", "apple", "pear"]) == ["apple", "pear"]', "unique_sorted_words([]) == []"]),
    T("sort_by_length", "words: list[str]", "list[str]", "Sort words from shortest to longest, keeping the original order for equal lengths.",
      "return sorted(words, key=len)", 'sort_by_length(["kiwi", "fig", "banana", "plum"])',
      ['sort_by_length(["kiwi", "fig", "banana", "plum"]) == ["fig", "kiwi", "plum", "banana"]', "sort_by_length([]) == []"]),
    T("top_n", "numbers: list[int], n: int", "list[int]", "Return the n largest numbers from largest to smallest.",
      "return sorted(numbers, reverse=True)[:n]", "top_n([4, 10, 1, 7], 2)",
      ["top_n([4, 10, 1, 7], 2) == [10, 7]", "top_n([3], 5) == [3]", "top_n([1, 2], 0) == []"]),
    T("find_index", "items: list[str], target: str", "int", "Return the position of target in items, or -1 if it is missing.",
      "if target in items:\n    return items.index(target)\nreturn -1", 'find_index(["a", "b", "c"], "c")',
      ['find_index(["a", "b", "c"], "c") == 2', 'find_index(["a"], "z") == -1']),
    T("count_between", "numbers: list[int], low: int, high: int", "int", "Count the numbers from low to high, both included.",
      "return sum(1 for n in numbers if low <= n <= high)", "count_between([1, 5, 10, 15], 5, 10)",
      ["count_between([1, 5, 10, 15], 5, 10) == 2", "count_between([], 0, 9) == 0"]),
    T("zero_negatives", "numbers: list[int]", "list[int]", "Replace every negative number by 0.",
      "return [max(n, 0) for n in numbers]", "zero_negatives([3, -2, 0, -9])",
      ["zero_negatives([3, -2, 0, -9]) == [3, 0, 0, 0]", "zero_negatives([]) == []"]),
    T("split_even_odd", "numbers: list[int]", "tuple[list[int], list[int]]", "Return (evens, odds): the even and the odd numbers, each in order.",
      "evens = [n for n in numbers if n % 2 == 0]\nodds = [n for n in numbers if n % 2 != 0]\nreturn evens, odds",
      "split_even_odd([1, 2, 3, 4])", ["split_even_odd([1, 2, 3, 4]) == ([2, 4], [1, 3])", "split_even_odd([]) == ([], [])"]),
    T("label_scores", "scores: list[int], threshold: int", "list[str]", 'Label each score "pass" if it is at least threshold, otherwise "fail".',
      'return ["pass" if s >= threshold else "fail" for s in scores]', "label_scores([40, 75, 50], 50)",
      ['label_scores([40, 75, 50], 50) == ["fail", "pass", "pass"]', "label_scores([], 10) == []"]),
    T("clap_sevens", "limit: int", "list[str]", 'Count from 1 to limit, saying "clap" for numbers divisible by 7 or containing the digit 7.',
      'return ["clap" if n % 7 == 0 or "7" in str(n) else str(n) for n in range(1, limit + 1)]', "clap_sevens(8)",
      ['clap_sevens(8) == ["1", "2", "3", "4", "5", "6", "clap", "8"]', 'clap_sevens(17)[13] == "clap"', 'clap_sevens(17)[16] == "clap"',
       'clap_sevens(0) == []']),
    T("halve_evens", "numbers: list[int]", "list[int]", "Return half of each even number, dropping the odd numbers.",
      "return [n // 2 for n in numbers if n % 2 == 0]", "halve_evens([4, 7, 10])",
      ["halve_evens([4, 7, 10]) == [2, 5]", "halve_evens([1, 3]) == []"]),
    T("min_and_max", "numbers: list[int]", "tuple[int, int]", "Return the smallest and the largest number as a pair.",
      "return min(numbers), max(numbers)", "min_and_max([3, 9, -1])",
      ["min_and_max([3, 9, -1]) == (-1, 9)", "min_and_max([2]) == (2, 2)"]),
    T("median", "numbers: list[int]", "float", "Return the median of a non-empty list (the mean of the two middle values for even lengths).",
      "ordered = sorted(numbers)\nmid = len(ordered) // 2\nif len(ordered) % 2:\n    return float(ordered[mid])\nreturn (ordered[mid - 1] + ordered[mid]) / 2",
      "median([7, 1, 3, 5])", ["median([7, 1, 3, 5]) == 4.0", "median([9, 2, 4]) == 4.0", "median([6]) == 6.0"],
      broken="return sorted(numbers)[len(numbers) // 2]",
      why="For an even number of values the median is the mean of the two middle ones."),
    T("swap_pairs", "items: list[int]", "list[int]", "Swap items 0 and 1, 2 and 3, and so on; an odd last item stays in place.",
      "out = list(items)\nfor i in range(0, len(out) - 1, 2):\n    out[i], out[i + 1] = out[i + 1], out[i]\nreturn out",
      "swap_pairs([1, 2, 3, 4, 5])", ["swap_pairs([1, 2, 3, 4, 5]) == [2, 1, 4, 3, 5]", "swap_pairs([]) == []"]),
    T("longest_true_run", "flags: list[bool]", "int", "Return the length of the longest run of consecutive True values.",
      "best = current = 0\nfor flag in flags:\n    current = current + 1 if flag else 0\n    best = max(best, current)\nreturn best",
      "longest_true_run([True, True, False, True, True, True])",
      ["longest_true_run([True, True, False, True, True, True]) == 3", "longest_true_run([False]) == 0", "longest_true_run([]) == 0"]),
    T("count_pairs_with_sum", "numbers: list[int], target: int", "int", "Count the pairs of positions i < j whose values add up to target.",
      "count = 0\nfor i in range(len(numbers)):\n    for j in range(i + 1, len(numbers)):\n        if numbers[i] + numbers[j] == target:\n            count += 1\nreturn count",
      "count_pairs_with_sum([1, 2, 3, 4], 5)",
      ["count_pairs_with_sum([1, 2, 3, 4], 5) == 2", "count_pairs_with_sum([2, 2, 2], 4) == 3", "count_pairs_with_sum([], 1) == 0"]),
    T("average_word_length", "words: list[str]", "float", "Return the average number of letters per word, or 0.0 for no words.",
      "if not words:\n    return 0.0\nreturn sum(len(w) for w in words) / len(words)", 'average_word_length(["hi", "there"])',
      ['average_word_length(["hi", "there"]) == 3.5', "average_word_length([]) == 0.0"]),
    # ---------------------------------------------------------------- numbers
    T("clamp", "value: int, low: int, high: int", "int", "Limit value to the range from low to high.",
      "return max(low, min(value, high))", "clamp(15, 0, 10)",
      ["clamp(15, 0, 10) == 10", "clamp(-3, 0, 10) == 0", "clamp(4, 0, 10) == 4"],
      broken="return min(low, max(value, high))",
      why="min and max were swapped: take `min(value, high)` first, then `max` with low."),
    T("sign", "n: int", "int", "Return -1 for a negative number, 0 for zero and 1 for a positive number.",
      "if n > 0:\n    return 1\nif n < 0:\n    return -1\nreturn 0", "sign(-8)", ["sign(-8) == -1", "sign(0) == 0", "sign(12) == 1"]),
    T("is_odd", "n: int", "bool", "Return True if n is odd.", "return n % 2 == 1", "is_odd(7)",
      ["is_odd(7) is True", "is_odd(10) is False", "is_odd(-3) is True"]),
    T("distance_between", "a: int, b: int", "int", "Return how far apart a and b are on the number line.",
      "return abs(a - b)", "distance_between(3, -4)", ["distance_between(3, -4) == 7", "distance_between(5, 5) == 0"]),
    T("factorial", "n: int", "int", "Return n! for n >= 0.",
      "result = 1\nfor k in range(2, n + 1):\n    result *= k\nreturn result", "factorial(5)",
      ["factorial(5) == 120", "factorial(0) == 1", "factorial(1) == 1"],
      broken="result = 1\nfor k in range(1, n):\n    result *= k\nreturn result",
      why="`range(1, n)` stops before n; it must go to `n + 1`."),
    T("triangular", "n: int", "int", "Return the sum 1 + 2 + ... + n (0 when n is 0).",
      "return n * (n + 1) // 2", "triangular(10)", ["triangular(10) == 55", "triangular(0) == 0", "triangular(1) == 1"],
      broken="return n * (n - 1) // 2",
      why="The formula is n × (n + 1) / 2; with n - 1 it leaves out the last number."),
    T("is_prime", "n: int", "bool", "Return True if n is a prime number.",
      "if n < 2:\n    return False\nfor d in range(2, int(n ** 0.5) + 1):\n    if n % d == 0:\n        return False\nreturn True",
      "is_prime(13)", ["is_prime(13) is True", "is_prime(1) is False", "is_prime(49) is False", "is_prime(2) is True"],
      broken="for d in range(2, n):\n    if n % d == 0:\n        return False\nreturn True",
      why="0 and 1 are not prime, so numbers below 2 must return False first."),
    T("gcd", "a: int, b: int", "int", "Return the greatest common divisor of two positive integers.",
      "while b:\n    a, b = b, a % b\nreturn a", "gcd(48, 18)", ["gcd(48, 18) == 6", "gcd(7, 5) == 1", "gcd(10, 10) == 10"]),
    T("digit_sum", "n: int", "int", "Return the sum of the digits of a non-negative integer.",
      "return sum(int(d) for d in str(n))", "digit_sum(4096)", ["digit_sum(4096) == 19", "digit_sum(0) == 0"]),
    T("count_digits", "n: int", "int", "Return how many digits the integer n has (the sign does not count).",
      "return len(str(abs(n)))", "count_digits(-5021)", ["count_digits(-5021) == 4", "count_digits(0) == 1", "count_digits(99) == 2"]),
    T("reverse_digits", "n: int", "int", "Return the digits of a non-negative integer in reverse order, e.g. 1230 gives 321.",
      "return int(str(n)[::-1])", "reverse_digits(1230)", ["reverse_digits(1230) == 321", "reverse_digits(7) == 7"]),
    T("is_leap_year", "year: int", "bool", "Return True for leap years in the Gregorian calendar.",
      "return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)", "is_leap_year(2024)",
      ["is_leap_year(2024) is True", "is_leap_year(1900) is False", "is_leap_year(2000) is True", "is_leap_year(2023) is False"],
      broken="return year % 4 == 0",
      why="Century years are leap years only when divisible by 400, so 1900 is not one."),
    T("fibonacci", "n: int", "int", "Return the n-th Fibonacci number, with fibonacci(0) = 0 and fibonacci(1) = 1.",
      "a, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\nreturn a", "fibonacci(10)",
      ["fibonacci(10) == 55", "fibonacci(0) == 0", "fibonacci(1) == 1", "fibonacci(2) == 1"],
      broken="a, b = 1, 1\nfor _ in range(n):\n    a, b = b, a + b\nreturn a",
      why="The sequence must start from 0 and 1, otherwise every value is shifted by one place."),
    T("is_power_of_two", "n: int", "bool", "Return True if n is a power of two (1, 2, 4, 8, ...).",
      "return n > 0 and n & (n - 1) == 0", "is_power_of_two(64)",
      ["is_power_of_two(64) is True", "is_power_of_two(12) is False", "is_power_of_two(1) is True", "is_power_of_two(0) is False"]),
    T("divisors", "n: int", "list[int]", "Return all positive divisors of n in increasing order.",
      "return [d for d in range(1, n + 1) if n % d == 0]", "divisors(12)",
      ["divisors(12) == [1, 2, 3, 4, 6, 12]", "divisors(1) == [1]", "divisors(7) == [1, 7]"]),
    T("multiples", "n: int, count: int", "list[int]", "Return the first count multiples of n, starting with n itself.",
      "return [n * i for i in range(1, count + 1)]", "multiples(3, 4)", ["multiples(3, 4) == [3, 6, 9, 12]", "multiples(5, 0) == []"]),
    T("squares_up_to", "n: int", "list[int]", "Return the squares of 1, 2, ..., n.",
      "return [k * k for k in range(1, n + 1)]", "squares_up_to(5)", ["squares_up_to(5) == [1, 4, 9, 16, 25]", "squares_up_to(0) == []"]),
    T("seconds_to_hms", "seconds: int", "tuple[int, int, int]", "Split a number of seconds into (hours, minutes, seconds).",
      "hours, rest = divmod(seconds, 3600)\nminutes, secs = divmod(rest, 60)\nreturn hours, minutes, secs", "seconds_to_hms(3725)",
      ["seconds_to_hms(3725) == (1, 2, 5)", "seconds_to_hms(59) == (0, 0, 59)", "seconds_to_hms(7200) == (2, 0, 0)"]),
    T("percent_of", "part: float, whole: float", "float", "Return part as a percentage of whole.",
      "return 100 * part / whole", "percent_of(30, 120)", ["percent_of(30, 120) == 25.0", "percent_of(0, 8) == 0.0"]),
    T("discounted_price", "price: float, percent: float", "float", "Return the price after a discount of percent per cent, rounded to 2 decimals.",
      "return round(price * (1 - percent / 100), 2)", "discounted_price(80.0, 25)",
      ["discounted_price(80.0, 25) == 60.0", "discounted_price(19.99, 0) == 19.99", "discounted_price(10, 100) == 0.0"]),
    T("cart_total", "cart: list[tuple[str, float, int]]", "float", "Return the total of a cart of (name, unit price, quantity) items.",
      "return sum(price * qty for _, price, qty in cart)", 'cart_total([("pen", 1.5, 4), ("book", 12.0, 1)])',
      ['cart_total([("pen", 1.5, 4), ("book", 12.0, 1)]) == 18.0', "cart_total([]) == 0"]),
    T("safe_divide", "a: float, b: float", "float | None", "Return a divided by b, or None when b is zero.",
      "if b == 0:\n    return None\nreturn a / b", "safe_divide(9, 3)", ["safe_divide(9, 3) == 3.0", "safe_divide(1, 0) is None"]),
    T("to_int", "text: str, default: int", "int", "Convert text to an int, returning default if it is not a valid integer.",
      "try:\n    return int(text)\nexcept ValueError:\n    return default", 'to_int("42", 0)',
      ['to_int("42", 0) == 42', 'to_int("4x2", -1) == -1', 'to_int("", 7) == 7']),
    T("is_perfect_square", "n: int", "bool", "Return True if the non-negative integer n is the square of an integer.",
      "root = round(n ** 0.5)\nreturn root * root == n", "is_perfect_square(49)",
      ["is_perfect_square(49) is True", "is_perfect_square(50) is False", "is_perfect_square(0) is True"]),
    T("collatz_steps", "n: int", "int", "Count the steps to reach 1 by halving even numbers and replacing odd n by 3n + 1.",
      "steps = 0\nwhile n != 1:\n    n = n // 2 if n % 2 == 0 else 3 * n + 1\n    steps += 1\nreturn steps", "collatz_steps(6)",
      ["collatz_steps(6) == 8", "collatz_steps(1) == 0", "collatz_steps(8) == 3"]),
    T("triangle_kind", "a: int, b: int, c: int", "str", 'Return "equilateral", "isosceles" or "scalene" for the three side lengths.',
      'if a == b == c:\n    return "equilateral"\nif a == b or b == c or a == c:\n    return "isosceles"\nreturn "scalene"',
      "triangle_kind(3, 3, 5)",
      ['triangle_kind(3, 3, 5) == "isosceles"', 'triangle_kind(2, 2, 2) == "equilateral"', 'triangle_kind(3, 4, 5) == "scalene"',
       'triangle_kind(5, 3, 5) == "isosceles"']),
    T("digits_of", "n: int", "list[int]", "Return the digits of a non-negative integer as a list.",
      "return [int(d) for d in str(n)]", "digits_of(907)", ["digits_of(907) == [9, 0, 7]", "digits_of(0) == [0]"]),
    T("letter_grade", "score: int", "str", 'Return "A" for 90 and above, "B" for 80-89, "C" for 70-79 and "F" below 70.',
      'if score >= 90:\n    return "A"\nif score >= 80:\n    return "B"\nif score >= 70:\n    return "C"\nreturn "F"',
      "letter_grade(84)", ['letter_grade(84) == "B"', 'letter_grade(90) == "A"', 'letter_grade(70) == "C"', 'letter_grade(12) == "F"']),
    T("ticket_price", "age: int", "int", "Return the ticket price in euros: 5 under 12, 7 from 65, otherwise 10.",
      "if age < 12:\n    return 5\nif age >= 65:\n    return 7\nreturn 10", "ticket_price(70)",
      ["ticket_price(70) == 7", "ticket_price(11) == 5", "ticket_price(12) == 10", "ticket_price(65) == 7"]),
    T("part_of_day", "hour: int", "str", 'Return "morning" before 12, "afternoon" before 18 and "evening" otherwise.',
      'if hour < 12:\n    return "morning"\nif hour < 18:\n    return "afternoon"\nreturn "evening"', "part_of_day(15)",
      ['part_of_day(15) == "afternoon"', 'part_of_day(8) == "morning"', 'part_of_day(18) == "evening"']),
    T("is_weekend", "day: str", "bool", "Return True if day is Saturday or Sunday, in any letter case.",
      'return day.lower() in ("saturday", "sunday")', 'is_weekend("Sunday")',
      ['is_weekend("Sunday") is True', 'is_weekend("MONDAY") is False', 'is_weekend("saturday") is True']),
    T("weekday_name", "index: int", "str", "Return the weekday name for 0 = Monday up to 6 = Sunday.",
      'days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]\nreturn days[index]',
      "weekday_name(4)", ['weekday_name(4) == "Friday"', 'weekday_name(0) == "Monday"', 'weekday_name(6) == "Sunday"']),
    T("days_in_month", "month: int", "int", "Return the number of days in month 1-12 of a non-leap year.",
      "lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]\nreturn lengths[month - 1]", "days_in_month(4)",
      ["days_in_month(4) == 30", "days_in_month(2) == 28", "days_in_month(12) == 31"],
      broken="lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]\nreturn lengths[month]",
      why="Months start at 1 but list positions start at 0, so use `month - 1`."),
    T("manhattan", "p: tuple[int, int], q: tuple[int, int]", "int", "Return the Manhattan distance |x1 - x2| + |y1 - y2| between two points.",
      "return abs(p[0] - q[0]) + abs(p[1] - q[1])", "manhattan((1, 2), (4, -2))",
      ["manhattan((1, 2), (4, -2)) == 7", "manhattan((0, 0), (0, 0)) == 0"]),
    T("balanced_parens", "text: str", "bool", 'Return True if the "(" and ")" in text are balanced.',
      'depth = 0\nfor ch in text:\n    if ch == "(":\n        depth += 1\n    elif ch == ")":\n        depth -= 1\n        if depth < 0:\n            return False\nreturn depth == 0',
      'balanced_parens("(a(b)c)")',
      ['balanced_parens("(a(b)c)") is True', 'balanced_parens(")(") is False', 'balanced_parens("((") is False', 'balanced_parens("") is True']),
    # ---------------------------------------------------------------- dicts and matrices
    T("invert_dict", "mapping: dict[str, int]", "dict[int, str]", "Swap keys and values (the values are all different).",
      "return {value: key for key, value in mapping.items()}", 'invert_dict({"a": 1, "b": 2})',
      ['invert_dict({"a": 1, "b": 2}) == {1: "a", 2: "b"}', "invert_dict({}) == {}"]),
    T("tally", "items: list[str]", "dict[str, int]", "Count how many times each string occurs in items.",
      "counts: dict[str, int] = {}\nfor item in items:\n    counts[item] = counts.get(item, 0) + 1\nreturn counts",
      'tally(["red", "blue", "red"])', ['tally(["red", "blue", "red"]) == {"red": 2, "blue": 1}', "tally([]) == {}"],
      broken="counts: dict[str, int] = {}\nfor item in items:\n    counts[item] = 1\nreturn counts",
      why="Each count must grow by one (`counts.get(item, 0) + 1`) instead of being reset to 1."),
    T("group_by_length", "words: list[str]", "dict[int, list[str]]", "Group words by their length, keeping the original order inside each group.",
      "groups: dict[int, list[str]] = {}\nfor word in words:\n    groups.setdefault(len(word), []).append(word)\nreturn groups",
      'group_by_length(["ox", "cat", "to", "dog"])',
      ['group_by_length(["ox", "cat", "to", "dog"]) == {2: ["ox", "to"], 3: ["cat", "dog"]}', "group_by_length([]) == {}"]),
    T("merge_dicts", "first: dict[str, int], second: dict[str, int]", "dict[str, int]", "Merge two dicts; when a key is in both, the value from second wins.",
      "return {**first, **second}", 'merge_dicts({"a": 1, "b": 2}, {"b": 3})',
      ['merge_dicts({"a": 1, "b": 2}, {"b": 3}) == {"a": 1, "b": 3}', "merge_dicts({}, {}) == {}"]),
    T("keys_for_value", "mapping: dict[str, int], value: int", "list[str]", "Return the keys whose value equals value, in insertion order.",
      "return [key for key, v in mapping.items() if v == value]", 'keys_for_value({"x": 1, "y": 2, "z": 1}, 1)',
      ['keys_for_value({"x": 1, "y": 2, "z": 1}, 1) == ["x", "z"]', 'keys_for_value({"x": 1}, 5) == []']),
    T("pair_up", "keys: list[str], values: list[int]", "dict[str, int]", "Build a dict from a list of keys and a list of values of the same length.",
      "return dict(zip(keys, values))", 'pair_up(["a", "b"], [1, 2])',
      ['pair_up(["a", "b"], [1, 2]) == {"a": 1, "b": 2}', "pair_up([], []) == {}"]),
    T("total_stock", "stock: dict[str, int]", "int", "Return the sum of all the quantities in a stock dict.",
      "return sum(stock.values())", 'total_stock({"apples": 5, "pears": 3})',
      ['total_stock({"apples": 5, "pears": 3}) == 8', "total_stock({}) == 0"]),
    T("best_scorer", "scores: dict[str, int]", "str", "Return the key with the highest value.",
      "return max(scores, key=scores.get)", 'best_scorer({"ana": 7, "ben": 9, "cy": 4})',
      ['best_scorer({"ana": 7, "ben": 9, "cy": 4}) == "ben"', 'best_scorer({"solo": 0}) == "solo"']),
    T("at_least", "counts: dict[str, int], minimum: int", "dict[str, int]", "Keep only the entries whose value is at least minimum.",
      "return {k: v for k, v in counts.items() if v >= minimum}", 'at_least({"a": 1, "b": 5, "c": 3}, 3)',
      ['at_least({"a": 1, "b": 5, "c": 3}, 3) == {"b": 5, "c": 3}', 'at_least({"a": 1}, 2) == {}']),
    T("first_positions", "words: list[str]", "dict[str, int]", "Map each word to the position where it first appears.",
      "positions: dict[str, int] = {}\nfor i, word in enumerate(words):\n    positions.setdefault(word, i)\nreturn positions",
      'first_positions(["a", "b", "a", "c"])',
      ['first_positions(["a", "b", "a", "c"]) == {"a": 0, "b": 1, "c": 3}', "first_positions([]) == {}"]),
    T("transpose", "matrix: list[list[int]]", "list[list[int]]", "Return the transpose of a rectangular matrix.",
      "return [list(row) for row in zip(*matrix)]", "transpose([[1, 2, 3], [4, 5, 6]])",
      ["transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]", "transpose([[7]]) == [[7]]"]),
    T("diagonal", "matrix: list[list[int]]", "list[int]", "Return the main diagonal of a square matrix.",
      "return [matrix[i][i] for i in range(len(matrix))]", "diagonal([[1, 2], [3, 4]])",
      ["diagonal([[1, 2], [3, 4]]) == [1, 4]", "diagonal([]) == []"]),
    T("row_sums", "matrix: list[list[int]]", "list[int]", "Return the sum of each row of the matrix.",
      "return [sum(row) for row in matrix]", "row_sums([[1, 2], [3, 4], []])",
      ["row_sums([[1, 2], [3, 4], []]) == [3, 7, 0]", "row_sums([]) == []"]),
    T("digit_word", "digit: int", "str", 'Return the English word for a digit 0-9, e.g. 3 gives "three".',
      'words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]\nreturn words[digit]',
      "digit_word(3)", ['digit_word(3) == "three"', 'digit_word(0) == "zero"', 'digit_word(9) == "nine"']),
]

# Extra tiny tasks shown only as solved examples before a harness-format question (the harness's shape).
SHOT_TASKS = [
    T("times_ten", "numbers: list[int]", "list[int]", "Return a new list with every number multiplied by 10.",
      "return [n * 10 for n in numbers]", "times_ten([1, 2])", ["times_ten([1, 2]) == [10, 20]"]),
    T("first_item_or_none", "items: list[int]", "int | None", "Return the first item, or None if the list is empty.",
      "return items[0] if items else None", "first_item_or_none([8, 9])", ["first_item_or_none([8, 9]) == 8", "first_item_or_none([]) is None"]),
    T("negate_all", "numbers: list[int]", "list[int]", "Return the numbers with their signs flipped.",
      "return [-n for n in numbers]", "negate_all([1, -2])", ["negate_all([1, -2]) == [-1, 2]"]),
]


def third_person(doc: str) -> str:
    """'Return the x.' -> 'returns the x'."""
    verb, _, rest = doc.rstrip(".").partition(" ")
    v = verb.lower()
    if v.endswith(("s", "sh", "ch", "x", "z")):
        v += "es"
    elif v.endswith("y") and v[-2] not in "aeiou":
        v = v[:-1] + "ies"
    else:
        v += "s"
    return f"{v} {rest}"


def infinitive(doc: str) -> str:
    return doc[0].lower() + doc[1:].rstrip(".")


def run_example(task: Task, code: str, call: str | None = None):
    ns: dict = {}
    exec(code, ns)
    return eval(call or task.example, ns)


def harness_prompt(task: Task) -> str:
    result = run_example(task, task.code())
    return (f'{task.header}    """{task.doc}\n\n    >>> {task.example}\n    {result!r}\n    """\n')


def fenced(code: str) -> str:
    return f"```python\n{code}```"


WRITE_Q = [
    "Write a Python function `{name}({args})` that {third}.",
    "Write a function {name} in Python that {third}.",
    "I need a Python function called `{name}` that {third}. Use type hints.",
    "Implement `{sig}` in Python. It should {inf}.",
    "Python: {inf}. Name the function `{name}`.",
    "Can you write `{name}({args})`? It {third}.",
    "Give me a short Python function, `{name}`, that {third}.",
    "Create a Python function {name}({args}) that {third}.",
    "Write Python code: a function `{name}` that {third}. For example `{example}` returns `{result}`.",
    "Please write a type-hinted Python function named {name} which {third}.",
    "write a python func {name}({args}) - it {third}",
    "Define `{name}` in Python so that it {third}. Example: `{example}` -> `{result}`.",
]
FIX_Q = [
    "Fix this function. It should {inf}.\n\n```python\n{code}```",
    "This function has a bug: `{example}` should return `{result}` but {got}. Fix it.\n\n```python\n{code}```",
    "Fix this function:{code_inline}It is supposed to {inf}.",
    "What's wrong with this code? It should {inf}.\n\n```python\n{code}```\nGive me the corrected function.",
    "My `{name}` gives the wrong answer for `{example}` ({got}; expected `{result}`). Please fix it:\n\n```python\n{code}```",
]
AFTER = ["Example: `{example}` returns `{result}`.", "For instance, `{example}` gives `{result}`.", ""]
CODE_SYSTEMS = ["You are a concise coding assistant.", "You are a helpful assistant.",
                "You write correct, short Python. Reply with code only when asked for code."]

CODE: list[tuple[dict, Task, str]] = []  # (record, task, code in the answer)


def code_record(messages: list[dict], task: Task, code: str) -> None:
    if rng.random() < 0.08 and messages[0]["role"] != "system":
        messages = [SYS(rng.choice(CODE_SYSTEMS)), *messages]
    CODE.append(({"kind": "code", "messages": messages}, task, code))


def failing_call(task: Task) -> str:
    """The call of the first test that the broken version fails."""
    bad: dict = {}
    exec(task.code(task.broken), bad)
    for test in task.tests:
        try:
            if eval(test, bad):
                continue
        except Exception:  # noqa: BLE001
            pass
        return re.split(r" == | is ", test)[0]
    raise AssertionError(task.name)


def describe_outcome(task: Task, body: str, call: str) -> str:
    try:
        return f"it returns `{run_example(task, task.code(body), call)!r}`"
    except Exception as exc:  # noqa: BLE001 - any error is described
        return f"it raises {type(exc).__name__}"


def build_code() -> None:
    fix = [t for t in TASKS if t.broken]
    rest = [t for t in TASKS if not t.broken]
    rng.shuffle(rest)
    n_harness = 40
    harness, write = rest[:n_harness], rest[n_harness:]
    # "fix this function"
    for i, t in enumerate(fix):
        example = failing_call(t)
        got = describe_outcome(t, t.broken, example)
        result = repr(run_example(t, t.code(), example))
        broken_code = t.code(t.broken)
        q = FIX_Q[i % len(FIX_Q)].format(inf=infinitive(t.doc), code=broken_code, example=example, result=result,
                                          got=got, name=t.name, code_inline=f"\n\n```python\n{broken_code}```\n\n")
        q = q.replace("```\n\nIt is", "```\nIt is")
        code_record([U(q), A(f"{fenced(t.code())}\n{t.why}")], t, t.code())
    # harness format (helpers/bench/harness.py code_prompt); the first 3 come after a solved example, as in the harness
    for i, t in enumerate(harness):
        prompt = harness_prompt(t)
        msgs: list[dict] = []
        if i < 3:
            s = SHOT_TASKS[i]
            sp = harness_prompt(s)
            msgs += [U(harness_code_prompt(sp)), A(fenced(sp + s.body))]
        msgs += [U(harness_code_prompt(prompt)), A(fenced(prompt + t.body))]
        code_record(msgs, t, prompt + t.body)
    # free phrasings
    for i, t in enumerate(write):
        result = repr(run_example(t, t.code()))
        q = WRITE_Q[i % len(WRITE_Q)].format(name=t.name, args=t.arg_names, third=third_person(t.doc),
                                             inf=infinitive(t.doc), sig=f"{t.name}({t.params}) -> {t.ret}",
                                             example=t.example, result=result)
        after = AFTER[i % len(AFTER)].format(example=t.example, result=result) if "xample" not in q else ""
        answer = fenced(t.code()) + (f"\n{after}" if after else "")
        code_record([U(q), A(answer)], t, t.code())


# ================================================================================ validation
LAST_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
FENCE = re.compile(r"```(?:python)?\s*\n(.*?)```", re.S)


def check_task(task: Task) -> None:
    ns: dict = {}
    exec(task.code(), ns)
    for test in task.tests:
        assert eval(test, ns), f"{task.name}: {test}"
    if task.broken:
        bad: dict = {}
        exec(task.code(task.broken), bad)
        failed = False
        for test in task.tests:
            try:
                failed |= not eval(test, bad)
            except Exception:  # noqa: BLE001
                failed = True
        assert failed, f"{task.name}: the broken version passes its tests"


def bench_items() -> list[dict]:
    items = []
    for path in sorted(BENCH.glob("*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def validate() -> None:
    bench = bench_items()
    bench_names = {i["entry_point"] for i in bench if "entry_point" in i}
    bench_questions = {i["question"].lower() for i in bench if "question" in i}
    all_tasks = TASKS + SHOT_TASKS
    names = [t.name for t in all_tasks]
    assert len(names) == len(set(names)), "duplicate function names"
    assert not bench_names & set(names), f"benchmark names reused: {bench_names & set(names)}"
    for t in all_tasks:
        check_task(t)

    lines = OUT.read_text(encoding="utf-8").splitlines()
    counts: dict[str, int] = {}
    users: set[str] = set()
    chars = 0
    code_iter = iter(CODE)
    arith_iter = iter(ARITH)
    for n, line in enumerate(lines, 1):
        rec = json.loads(line)
        assert set(rec) == {"kind", "messages"}, n
        msgs = rec["messages"]
        assert msgs[-1]["role"] == "assistant" and msgs[-1]["content"].strip(), n
        assert msgs[-2]["role"] == "user", n
        for m in msgs:
            assert m["role"] in {"system", "user", "assistant"} and isinstance(m["content"], str), n
        q = msgs[-2]["content"]
        assert q not in users, f"duplicate question on line {n}"
        users.add(q)
        assert not any(bq in q.lower() for bq in bench_questions), f"benchmark question on line {n}"
        chars += sum(len(m["content"]) for m in msgs)
        counts[rec["kind"]] = counts.get(rec["kind"], 0) + 1
        answer = msgs[-1]["content"]
        if rec["kind"] == "arith":
            _, expected = next(arith_iter)
            if "####" in answer:
                assert answer.rsplit("####", 1)[1].strip() == str(expected), n
            got = LAST_NUMBER.findall(answer.replace(",", ""))[-1]
            assert float(got) == expected, f"line {n}: {got} != {expected}"
            # every "a op b = c" written in the working is right
            for a, op, b, c in re.findall(r"(?<!\+ )(?<!\d)(\d+) ([-+×*÷/]) (\d+) = (\d+)", answer):
                a, b, c = int(a), int(b), int(c)
                val = {"+": a + b, "-": a - b, "×": a * b, "*": a * b, "÷": a / b, "/": a / b}[op]
                assert val == c, f"line {n}: {a} {op} {b} = {c}"
            for terms, c in re.findall(r"((?:\d+ \+ ){2,}\d+) = (\d+)", answer):
                assert sum(int(x) for x in terms.split(" + ")) == int(c), n
        else:
            record, task, code = next(code_iter)
            m = FENCE.search(answer)
            assert m and m.group(1) == code, n
            after = answer[m.end():].strip()
            assert "\n" not in after and len(after) < 160, f"line {n}: more than one short sentence after the code"
            ns: dict = {}
            exec(m.group(1), ns)
            for test in task.tests:
                assert eval(test, ns), f"line {n}: {test}"
            assert re.search(rf"^def {task.name}\(", m.group(1), re.M), n
            for msg in msgs[:-1]:  # earlier solved examples are correct too
                if msg["role"] == "assistant":
                    shot = FENCE.search(msg["content"]).group(1)
                    exec(shot, {})
    print(f"{OUT.relative_to(ROOT)}: {len(lines)} records {counts}; ~{chars / len(lines) / 4:.0f} tokens per record (chars/4)")


def main() -> None:
    build_arith()
    build_code()
    records = [r for r, _ in ARITH] + [r for r, _, _ in CODE]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    validate()
    harness_arith = sum("####" in r["messages"][-1]["content"] for r, _ in ARITH)
    only = sum(r["messages"][-1]["content"].isdigit() for r, _ in ARITH)
    harness_code = sum(r["messages"][-2]["content"].startswith("Complete this Python") for r, _, _ in CODE)
    fix = sum(1 for _, t, _ in CODE if t.broken)
    print(f"arith: {len(ARITH)} ({harness_arith} harness format, {only} number only); "
          f"code: {len(CODE)} ({harness_code} harness format, {fix} fix-the-bug)")


if __name__ == "__main__":
    sys.exit(main())
