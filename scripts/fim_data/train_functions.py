"""Short Python functions written for the workbook's fill-in-the-middle training set (CC0-1.0).

Each function has tests in TESTS; scripts/fim_data/build.py cuts them into
prefix/middle/suffix examples.
"""

import math
import re
from collections import Counter, defaultdict
from datetime import date, timedelta


def slugify_title(title: str) -> str:
    """Turn a blog post title into a lowercase, hyphen-separated URL slug."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", title.lower())
    return cleaned.strip("-")


def pad_invoice_id(invoice_id: int, width: int = 6) -> str:
    """Format an invoice number like INV-000042."""
    return "INV-" + str(invoice_id).zfill(width)


def email_domain(address: str) -> str:
    """Return the lowercased domain part of an e-mail address."""
    _, _, domain = address.rpartition("@")
    return domain.lower()


def is_valid_port(value: str) -> bool:
    if not value.isdigit():
        return False
    return 0 < int(value) <= 65535


def parse_log_level(line: str) -> str | None:
    match = re.search(r"\[(DEBUG|INFO|WARNING|ERROR)\]", line)
    return match.group(1) if match else None


def truncate_label(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)] + "..."


def snake_to_camel(name: str) -> str:
    """Convert a snake_case config key to camelCase."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def camel_to_snake(name: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name)
    return snake.lower()


def center_banner(text: str, width: int, fill: str = "=") -> str:
    """Center a title inside a line of fill characters."""
    return f" {text} ".center(width, fill)


def strip_comment(line: str, marker: str = "#") -> str:
    """Remove a trailing comment from a config line and trim whitespace."""
    return line.split(marker, 1)[0].strip()


def count_uppercase(text: str) -> int:
    capitals = [ch for ch in text if ch.isupper()]
    return len(capitals)


def normalize_whitespace(text: str) -> str:
    words = text.split()
    return " ".join(words)


def extract_hashtags(post: str) -> list[str]:
    tags = []
    for token in post.split():
        if token.startswith("#") and len(token) > 1:
            tags.append(token[1:].lower())
    return tags


def phone_digits(raw: str) -> str:
    digits = [ch for ch in raw if ch.isdigit()]
    return "".join(digits)


def format_us_phone(raw: str) -> str:
    """Format a 10-digit phone number as (555) 123-4567."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) != 10:
        raise ValueError("expected 10 digits")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def query_param(url: str, key: str) -> str | None:
    if "?" not in url:
        return None
    for pair in url.split("?", 1)[1].split("&"):
        name, _, value = pair.partition("=")
        if name == key:
            return value
    return None


def url_host(url: str) -> str:
    without_scheme = url.split("://", 1)[-1]
    return without_scheme.split("/", 1)[0].split(":", 1)[0]


def is_ipv4(address: str) -> bool:
    """Check that a string looks like a dotted IPv4 address."""
    parts = address.split(".")
    if len(parts) != 4:
        return False
    return all(p.isdigit() and int(p) <= 255 for p in parts)


def ip_to_int(address: str) -> int:
    result = 0
    for part in address.split("."):
        result = result * 256 + int(part)
    return result


def wrap_line(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def shout(message: str) -> str:
    cleaned = message.strip()
    return f"{cleaned.upper()}!"


def redact_emails(text: str) -> str:
    """Replace every e-mail address in the text with a placeholder."""
    return re.sub(r"[\w.+-]+@[\w-]+\.[\w.]+", "[email]", text)


def align_config_rows(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(key) for key, _ in rows)
    return [f"{key.ljust(width)} : {value}" for key, value in rows]


def count_overlapping(text: str, piece: str) -> int:
    starts = range(len(text) - len(piece) + 1)
    return sum(1 for i in starts if text.startswith(piece, i))


def fill_template(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def ordinal(n: int) -> str:
    """Return n with its English ordinal suffix, e.g. 1st, 12th, 23rd."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pluralize(word: str, count: int) -> str:
    if count == 1:
        return f"1 {word}"
    if word.endswith(("s", "x", "ch", "sh")):
        return f"{count} {word}es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}s"


def strip_prefix_all(names: list[str], prefix: str) -> list[str]:
    result = []
    for name in names:
        result.append(name[len(prefix):] if name.startswith(prefix) else name)
    return result


def dotted_leader(label: str, page: int, width: int = 20) -> str:
    """Build a table-of-contents line with dots between label and page."""
    page_text = str(page)
    dots = "." * max(width - len(label) - len(page_text), 1)
    return f"{label}{dots}{page_text}"


def html_escape(text: str) -> str:
    # The ampersand must be replaced first.
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(raw, safe)
    return text


def strip_html_tags(markup: str) -> str:
    """Remove anything that looks like an HTML tag."""
    return re.sub(r"<[^>]+>", "", markup)


def csv_row(values: list[object]) -> str:
    cells = [str(v) for v in values]
    return ",".join(cells)


def split_csv_line(line: str) -> list[str]:
    fields = line.split(",")
    return [field.strip() for field in fields]


def is_hex_color(value: str) -> bool:
    match = re.fullmatch(r"#[0-9a-fA-F]{6}", value)
    return match is not None


def longest_line_length(text: str) -> int:
    lengths = [len(line) for line in text.splitlines()]
    return max(lengths, default=0)


def indent_block(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def kebab_case(name: str) -> str:
    """Lowercase a phrase and join its words with hyphens."""
    return "-".join(name.lower().split())


def is_strong_password(password: str) -> bool:
    """A password is strong if long enough and mixes cases and digits."""
    return (
        len(password) >= 8
        and any(ch.isupper() for ch in password)
        and any(ch.islower() for ch in password)
        and any(ch.isdigit() for ch in password)
    )


def username_from_email(address: str) -> str:
    local = address.split("@", 1)[0]
    return local.split("+", 1)[0].replace(".", "_").lower()


def mime_type_for(filename: str) -> str:
    types = {"html": "text/html", "png": "image/png", "json": "application/json"}
    _, dot, extension = filename.rpartition(".")
    return types.get(extension.lower() if dot else "", "application/octet-stream")


def items_in_stock(inventory: dict[str, int]) -> list[str]:
    available = [name for name, qty in inventory.items() if qty > 0]
    return sorted(available)


def chunk_playlist(tracks: list[str], size: int) -> list[list[str]]:
    """Split a playlist into consecutive chunks of at most size tracks."""
    return [tracks[i:i + size] for i in range(0, len(tracks), size)]


def running_balance(transactions: list[float]) -> list[float]:
    balance = 0.0
    history = []
    for amount in transactions:
        balance += amount
        history.append(balance)
    return history


def gradebook(names: list[str], grades: list[int]) -> dict[str, int]:
    if len(names) != len(grades):
        raise ValueError("names and grades differ in length")
    return dict(zip(names, grades))


def numbered_steps(steps: list[str]) -> list[str]:
    """Prefix recipe steps with 1-based step numbers."""
    return [f"{i}. {step}" for i, step in enumerate(steps, start=1)]


def interleave(first: list[int], second: list[int]) -> list[int]:
    result = []
    for a, b in zip(first, second):
        result.extend((a, b))
    shorter = min(len(first), len(second))
    result.extend(first[shorter:] or second[shorter:])
    return result


def rotate_left(items: list[int], k: int) -> list[int]:
    if not items:
        return []
    k %= len(items)
    return items[k:] + items[:k]


def window_sums(values: list[int], window: int) -> list[int]:
    """Sum of every run of `window` consecutive values."""
    return [sum(values[i:i + window]) for i in range(len(values) - window + 1)]


def split_even_odd(numbers: list[int]) -> tuple[list[int], list[int]]:
    evens = [n for n in numbers if n % 2 == 0]
    odds = [n for n in numbers if n % 2]
    return evens, odds


def first_negative_index(values: list[float]) -> int:
    for i, value in enumerate(values):
        if value < 0:
            return i
    return -1


def longest_track(durations: dict[str, int]) -> str:
    title, _ = max(durations.items(), key=lambda pair: pair[1])
    return title


def files_by_size(files: list[tuple[str, int]]) -> list[str]:
    """Names of files ordered from largest to smallest."""
    ordered = sorted(files, key=lambda entry: entry[1], reverse=True)
    return [name for name, _ in ordered]


def positions_of(items: list[str], target: str) -> list[int]:
    found = []
    for i, item in enumerate(items):
        if item == target:
            found.append(i)
    return found


def transpose(matrix: list[list[int]]) -> list[list[int]]:
    """Swap the rows and columns of a rectangular matrix."""
    return [list(row) for row in zip(*matrix)]


def main_diagonal(matrix: list[list[int]]) -> list[int]:
    size = min(len(matrix), min((len(row) for row in matrix), default=0))
    return [matrix[i][i] for i in range(size)]


def tail_lines(lines: list[str], n: int) -> list[str]:
    """Return the last n log lines (none when n <= 0)."""
    return lines[-n:] if n > 0 else []


def every_other(items: list[str]) -> list[str]:
    """Keep the items at even positions (0, 2, 4, ...)."""
    return items[::2]


def paragraphs(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def cumulative_max(readings: list[int]) -> list[int]:
    result = []
    best = None
    for value in readings:
        best = value if best is None else max(best, value)
        result.append(best)
    return result


def passing_students(grades: dict[str, int], threshold: int = 50) -> list[str]:
    """Names of students whose grade reaches the threshold, sorted."""
    return sorted(name for name, grade in grades.items() if grade >= threshold)


def nth_from_end(items: list[str], n: int) -> str | None:
    if n < 1 or n > len(items):
        return None
    return items[-n]


def pad_list(values: list[int], length: int, filler: int = 0) -> list[int]:
    """Extend values with filler until it reaches the given length."""
    return values + [filler] * (length - len(values))


def sliding_pairs(stops: list[str]) -> list[tuple[str, str]]:
    pairs = zip(stops, stops[1:])
    return list(pairs)


def drop_none(values: list[object]) -> list[object]:
    result = []
    for value in values:
        if value is not None:
            result.append(value)
    return result


def split_on_value(items: list[int], separator: int) -> list[list[int]]:
    """Split a list into pieces wherever the separator value appears."""
    pieces: list[list[int]] = [[]]
    for item in items:
        if item == separator:
            pieces.append([])
        else:
            pieces[-1].append(item)
    return pieces


def take_while_positive(values: list[int]) -> list[int]:
    result = []
    for value in values:
        if value <= 0:
            break
        result.append(value)
    return result


def sort_by_last_name(names: list[str]) -> list[str]:
    keyed = [(full.split()[-1], full) for full in names]
    return [full for _, full in sorted(keyed)]


def sort_versions(versions: list[str]) -> list[str]:
    """Sort dotted version strings numerically rather than as text."""
    return sorted(versions, key=lambda v: [int(part) for part in v.split(".")])


def unzip_pairs(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    """Split a list of (label, value) pairs into two parallel lists."""
    labels = [label for label, _ in pairs]
    values = [value for _, value in pairs]
    return labels, values


def count_in_range(values: list[float], low: float, high: float) -> int:
    inside = [v for v in values if low <= v <= high]
    return len(inside)


def replace_outliers(readings: list[float], limit: float) -> list[float]:
    # Readings outside [-limit, limit] are treated as sensor glitches.
    return [r if abs(r) <= limit else 0.0 for r in readings]


def find_gaps(seat_numbers: list[int]) -> list[int]:
    if not seat_numbers:
        return []
    taken = set(seat_numbers)
    return [n for n in range(min(taken), max(taken) + 1) if n not in taken]


def group_consecutive(numbers: list[int]) -> list[list[int]]:
    """Group sorted integers into runs of consecutive values."""
    groups: list[list[int]] = []
    for n in numbers:
        if groups and n == groups[-1][-1] + 1:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def dot_product(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise ValueError("vectors must have the same length")
    return sum(x * y for x, y in zip(a, b))


def shopping_list(recipes: list[list[str]]) -> list[str]:
    needed: set[str] = set()
    for ingredients in recipes:
        needed.update(ingredients)
    return sorted(needed)


def queue_position(queue: list[str], person: str) -> int | None:
    """1-based position of a person in a waiting queue, or None."""
    if person not in queue:
        return None
    return queue.index(person) + 1


def rank_labels(scores: list[int]) -> list[int]:
    ordered = sorted(set(scores), reverse=True)
    rank = {score: i + 1 for i, score in enumerate(ordered)}
    return [rank[s] for s in scores]


def is_sorted_ascending(values: list[int]) -> bool:
    pairs = zip(values, values[1:])
    return all(a <= b for a, b in pairs)


def matrix_row_totals(matrix: list[list[int]]) -> list[int]:
    totals = []
    for row in matrix:
        totals.append(sum(row))
    return totals


def group_by_department(staff: list[tuple[str, str]]) -> dict[str, list[str]]:
    teams: dict[str, list[str]] = {}
    for name, department in staff:
        teams.setdefault(department, []).append(name)
    return teams


def invert_port_map(services: dict[str, int]) -> dict[int, str]:
    """Turn a service -> port mapping into port -> service."""
    return {port: name for name, port in services.items()}


def merge_settings(defaults: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """Combine config dicts; values in overrides win."""
    return {**defaults, **overrides}


def nested_get(config: dict, path: str, default: object = None) -> object:
    current: object = config
    for key in path.split("."):
        if not isinstance(current, dict) or key not in current:
            return default
        current = current[key]
    return current


def menu_price(menu: dict[str, float], item: str) -> float:
    key = item.strip().lower()
    return menu.get(key, 0.0)


def stock_value(inventory: dict[str, tuple[int, float]]) -> float:
    """Total value of inventory given (quantity, unit price) pairs."""
    return sum(qty * unit_price for qty, unit_price in inventory.values())


def keys_with_value(mapping: dict[str, int], target: int) -> list[str]:
    matches = [key for key, value in mapping.items() if value == target]
    return sorted(matches)


def restock_orders(stock: dict[str, int], minimums: dict[str, int]) -> dict[str, int]:
    """How many units of each item must be ordered to reach its minimum."""
    orders = {}
    for item, minimum in minimums.items():
        missing = minimum - stock.get(item, 0)
        if missing > 0:
            orders[item] = missing
    return orders


def index_by_id(records: list[dict]) -> dict[int, dict]:
    index = {}
    for record in records:
        index[record["id"]] = record
    return index


def add_to_cart(cart: dict[str, int], item: str, qty: int = 1) -> dict[str, int]:
    updated = dict(cart)
    updated[item] = updated.get(item, 0) + qty
    return updated


def remove_empty_values(settings: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for key, value in settings.items():
        if value.strip():
            cleaned[key] = value
    return cleaned


def sum_by_customer(orders: list[tuple[str, float]]) -> dict[str, float]:
    """Total order amount per customer."""
    totals: defaultdict[str, float] = defaultdict(float)
    for customer, amount in orders:
        totals[customer] += amount
    return dict(totals)


def config_diff(old: dict[str, str], new: dict[str, str]) -> dict[str, tuple]:
    keys = old.keys() | new.keys()
    return {k: (old.get(k), new.get(k)) for k in sorted(keys) if old.get(k) != new.get(k)}


def parse_env_lines(lines: list[str]) -> dict[str, str]:
    """Parse KEY=VALUE lines, skipping blanks and # comments."""
    env = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        env[key.strip()] = value.strip().strip('"')
    return env


def letter_histogram(text: str) -> dict[str, int]:
    letters = Counter(ch for ch in text.lower() if ch.isalpha())
    return dict(sorted(letters.items()))


def first_seen_order(events: list[tuple[str, int]]) -> dict[str, int]:
    first: dict[str, int] = {}
    for user, timestamp in events:
        first.setdefault(user, timestamp)
    return first


def filter_by_tag(articles: dict[str, set[str]], tag: str) -> list[str]:
    matching = [title for title, tags in articles.items() if tag in tags]
    return sorted(matching)


def rename_keys(record: dict[str, object], renames: dict[str, str]) -> dict[str, object]:
    """Return a copy of record with keys renamed according to renames."""
    return {renames.get(key, key): value for key, value in record.items()}


def pick_fields(record: dict[str, object], fields: list[str]) -> dict[str, object]:
    """Keep only the listed fields that are present in the record."""
    return {field: record[field] for field in fields if field in record}


def count_by_length(words: list[str]) -> dict[int, int]:
    sizes = Counter(len(word) for word in words)
    return dict(sizes)


def timetable_lookup(timetable: dict[str, list[str]], stop: str) -> str:
    times = timetable.get(stop, [])
    return ", ".join(times) if times else "no service"


def latest_reading(readings: dict[str, list[float]], sensor: str) -> float | None:
    values = readings.get(sensor)
    if not values:
        return None
    return values[-1]


def flip_grades(grades: dict[str, str]) -> dict[str, list[str]]:
    """Map each letter grade to the sorted list of students who got it."""
    by_grade: dict[str, list[str]] = {}
    for student, grade in grades.items():
        by_grade.setdefault(grade, []).append(student)
    return {grade: sorted(names) for grade, names in by_grade.items()}


def deep_count_keys(data: dict) -> int:
    total = 0
    for value in data.values():
        total += 1
        if isinstance(value, dict):
            total += deep_count_keys(value)
    return total


def dict_to_query(params: dict[str, object]) -> str:
    """Render parameters as a URL query string (no escaping)."""
    return "&".join(f"{key}={value}" for key, value in params.items())


def counter_total(counts: dict[str, int]) -> int:
    total = 0
    for count in counts.values():
        total += count
    return total


def common_keys(first: dict[str, int], second: dict[str, int]) -> list[str]:
    shared = first.keys() & second.keys()
    return sorted(shared)


def highest_paid(salaries: dict[str, int]) -> tuple[str, int]:
    """Return the (name, salary) pair with the biggest salary."""
    name = max(salaries, key=lambda person: salaries[person])
    return name, salaries[name]


def nest_by_prefix(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    nested: dict[str, dict[str, str]] = {}
    for full_key, value in keys.items():
        section, _, name = full_key.partition(".")
        nested.setdefault(section, {})[name] = value
    return nested


def tally_votes(ballots: list[str]) -> list[tuple[str, int]]:
    counts = Counter(ballots)
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def missing_keys(required: list[str], provided: dict[str, object]) -> list[str]:
    provided_keys = set(provided)
    return [key for key in required if key not in provided_keys]


def percent_of(part: float, whole: float) -> float:
    """Return part as a percentage of whole, rounded to one decimal."""
    if whole == 0:
        return 0.0
    return round(part / whole * 100, 1)


def km_to_miles(km: float) -> float:
    miles = km * 0.621371
    return round(miles, 2)


def digit_sum(n: int) -> int:
    total = 0
    n = abs(n)
    while n:
        total += n % 10
        n //= 10
    return total


def round_to_step(value: float, step: float) -> float:
    """Round a value to the nearest multiple of step."""
    return round(value / step) * step


def seconds_to_hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def hms_to_seconds(stamp: str) -> int:
    hours, minutes, seconds = (int(part) for part in stamp.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def count_digits(n: int) -> int:
    digits = str(abs(n))
    return len(digits)


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8, ... using a bit trick."""
    return n > 0 and n & (n - 1) == 0


def divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    large = [n // d for d in reversed(small) if d * d != n]
    return small + large


def is_perfect_number(n: int) -> bool:
    """A perfect number equals the sum of its proper divisors."""
    return n > 1 and sum(d for d in range(1, n) if n % d == 0) == n


def tip_amount(bill: float, percent: float) -> float:
    tip = bill * percent / 100
    return round(tip, 2)


def compound_interest(principal: float, rate: float, years: int) -> float:
    """Balance after compounding a yearly percentage rate."""
    return round(principal * (1 + rate / 100) ** years, 2)


def sign(x: float) -> int:
    """Return -1, 0 or 1 depending on the sign of x."""
    return (x > 0) - (x < 0)


def reverse_digits(n: int) -> int:
    result = 0
    while n > 0:
        result = result * 10 + n % 10
        n //= 10
    return result


def is_armstrong(n: int) -> bool:
    """Check whether n equals the sum of its digits raised to the digit count."""
    digits = str(n)
    return n == sum(int(d) ** len(digits) for d in digits)


def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def triangle_number(n: int) -> int:
    # Sum of 1..n via the closed-form formula.
    return n * (n + 1) // 2


def hypotenuse(a: float, b: float) -> float:
    squared = a * a + b * b
    return math.sqrt(squared)


def circle_area(radius: float) -> float:
    area = math.pi * radius ** 2
    return round(area, 2)


def bmi(weight_kg: float, height_m: float) -> float:
    """Body mass index rounded to one decimal place."""
    return round(weight_kg / height_m ** 2, 1)


def limit_speed(speed: float, maximum: float) -> float:
    if speed > maximum:
        return maximum
    return speed


def vat_breakdown(gross: float, rate: float) -> tuple[float, float]:
    """Split a gross price into (net, tax) for a VAT rate in percent."""
    net = round(gross / (1 + rate / 100), 2)
    return net, round(gross - net, 2)


def price_with_tax(net: float, rate: float) -> float:
    multiplier = 1 + rate / 100
    return round(net * multiplier, 2)


def grams_to_ounces(grams: float) -> float:
    ounces = grams / 28.3495
    return round(ounces, 2)


def liters_to_cups(liters: float) -> float:
    cups = liters * 4.22675
    return round(cups, 1)


def pace_per_km(total_seconds: int, distance_km: float) -> str:
    """Running pace as m:ss per kilometre."""
    per_km = round(total_seconds / distance_km)
    return f"{per_km // 60}:{per_km % 60:02d}"


def even_sum_below(limit: int) -> int:
    evens = range(0, limit, 2)
    return sum(evens)


def multiples_of(base: int, upto: int) -> list[int]:
    if base <= 0:
        return []
    return list(range(base, upto + 1, base))


def nearest_multiple(n: int, base: int) -> int:
    lower = n - n % base
    upper = lower + base
    return lower if n - lower < upper - n else upper


def int_to_base(n: int, base: int) -> str:
    digits = "0123456789ABCDEF"
    if n == 0:
        return "0"
    out = ""
    while n:
        n, rem = divmod(n, base)
        out = digits[rem] + out
    return out


def is_luhn_valid(number: str) -> bool:
    """Validate a credit card number with the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(number.replace(" ", ""))):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def percent_change(old: float, new: float) -> float:
    change = (new - old) / old
    return round(change * 100, 2)


def temperature_span(readings: list[float]) -> float:
    coldest, warmest = min(readings), max(readings)
    return warmest - coldest


def count_multiples_in_range(start: int, end: int, k: int) -> int:
    """How many multiples of k lie in the inclusive range [start, end]."""
    return end // k - (start - 1) // k


def product_of(numbers: list[int]) -> int:
    result = 1
    for n in numbers:
        result *= n
    return result


def distance_2d(p: tuple[float, float], q: tuple[float, float]) -> float:
    (x1, y1), (x2, y2) = p, q
    return math.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2)


def manhattan_distance(p: tuple[int, int], q: tuple[int, int]) -> int:
    """Grid distance between two points moving only along axes."""
    return abs(p[0] - q[0]) + abs(p[1] - q[1])


def integer_sqrt_floor(n: int) -> int:
    low, high = 0, n
    while low < high:
        mid = (low + high + 1) // 2
        if mid * mid <= n:
            low = mid
        else:
            high = mid - 1
    return low


def power_mod(base: int, exponent: int, modulus: int) -> int:
    result = 1
    base %= modulus
    while exponent > 0:
        if exponent & 1:
            result = result * base % modulus
        base = base * base % modulus
        exponent >>= 1
    return result


def loan_payment(principal: float, annual_rate: float, months: int) -> float:
    monthly = annual_rate / 100 / 12
    if monthly == 0:
        return round(principal / months, 2)
    return round(principal * monthly / (1 - (1 + monthly) ** -months), 2)


def days_between(start: date, end: date) -> int:
    delta = end - start
    return delta.days


def add_business_days(start: date, days: int) -> date:
    """Move forward by a number of working days, skipping weekends."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def weekday_name(day: date) -> str:
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return names[day.weekday()]


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def last_day_of_month(day: date) -> date:
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def is_weekend(day: date) -> bool:
    # weekday() is 5 for Saturday and 6 for Sunday.
    return day.weekday() >= 5


def dates_between(start: date, end: date) -> list[date]:
    total_days = (end - start).days
    return [start + timedelta(days=i) for i in range(total_days + 1)]


def next_weekday(day: date, weekday: int) -> date:
    ahead = (weekday - day.weekday()) % 7 or 7
    return day + timedelta(days=ahead)


def invoice_due_date(issued: date, net_days: int = 30) -> str:
    due = issued + timedelta(days=net_days)
    return due.isoformat()


def format_us_date(day: date) -> str:
    month, day_of_month = day.month, day.day
    return f"{month:02d}/{day_of_month:02d}/{day.year}"


def parse_us_date(text: str) -> date:
    """Parse an MM/DD/YYYY string into a date."""
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def week_start(day: date) -> date:
    """Monday of the week containing the given day."""
    return day - timedelta(days=day.weekday())


def safe_int(text: str, default: int = 0) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def parse_price(text: str) -> float | None:
    """Parse strings like '$1,299.50' into a float, or None if invalid."""
    cleaned = text.strip().lstrip("$").replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def parse_key_value(line: str) -> tuple[str, str] | None:
    if "=" not in line:
        return None
    key, value = line.split("=", 1)
    return key.strip(), value.strip()


def parse_duration(text: str) -> int:
    """Convert strings like '1h30m' or '45s' into a number of seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([hms])", text))


def is_newer_version(current: str, candidate: str) -> bool:
    def as_tuple(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("."))

    return as_tuple(candidate) > as_tuple(current)


def parse_bool_flag(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def parse_int_list(text: str) -> list[int]:
    numbers = []
    for piece in text.split(","):
        try:
            numbers.append(int(piece))
        except ValueError:
            continue
    return numbers


def parse_host_port(address: str, default_port: int = 80) -> tuple[str, int]:
    """Split 'host:port' into a tuple, falling back to a default port."""
    host, _, port = address.partition(":")
    try:
        return host, int(port)
    except ValueError:
        return host, default_port


def parse_percentage(text: str) -> float:
    number = text.strip().rstrip("%")
    return float(number) / 100


def parse_temperature(reading: str) -> float | None:
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*°?C\s*", reading)
    return float(match.group(1)) if match else None


def parse_dimensions(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def is_valid_email(address: str) -> bool:
    """Loose syntax check for an e-mail address with a dotted domain."""
    return re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", address) is not None


def has_duplicates(items: list[str]) -> bool:
    seen = set()
    for item in items:
        if item in seen:
            return True
        seen.add(item)
    return False


def is_subset_of_menu(order: list[str], menu: set[str]) -> bool:
    """True if every ordered dish is on the menu."""
    return set(order) <= menu


def any_error_lines(lines: list[str]) -> bool:
    for line in lines:
        if "ERROR" in line:
            return True
    return False


def is_business_hours(hour: int, weekday: int) -> bool:
    is_weekday = weekday < 5
    return is_weekday and 9 <= hour < 17


def is_valid_zip(code: str) -> bool:
    code = code.strip()
    return len(code) == 5 and code.isdigit()


def has_required_headers(headers: dict[str, str], required: list[str]) -> bool:
    present = {name.lower() for name in headers}
    return all(name.lower() in present for name in required)


def is_monotonic_increase(readings: list[float]) -> bool:
    """Strictly increasing sequence of readings."""
    return all(b > a for a, b in zip(readings, readings[1:]))


def is_balanced_brackets(text: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


def is_hidden_file(path: str) -> bool:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(".")


def nested_depth(data: object) -> int:
    """Maximum nesting depth of lists inside a value."""
    if not isinstance(data, list):
        return 0
    return 1 + max((nested_depth(item) for item in data), default=0)


def sum_nested_prices(cart: list) -> float:
    total = 0.0
    for entry in cart:
        total += sum_nested_prices(entry) if isinstance(entry, list) else entry
    return total


def power_set_size(items: list[str]) -> int:
    if not items:
        return 1
    return 2 * power_set_size(items[1:])


def count_paths(rows: int, cols: int) -> int:
    # Number of monotone grid paths from top-left to bottom-right.
    if rows == 1 or cols == 1:
        return 1
    return count_paths(rows - 1, cols) + count_paths(rows, cols - 1)


def binary_search(sorted_ids: list[int], target: int) -> int:
    """Index of target in a sorted list, or -1 if it is absent."""
    low, high = 0, len(sorted_ids) - 1
    while low <= high:
        mid = (low + high) // 2
        if sorted_ids[mid] == target:
            return mid
        if sorted_ids[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1


def tree_size(tree: dict) -> int:
    """Count the nodes of a tree stored as nested dicts with 'children'."""
    return 1 + sum(tree_size(child) for child in tree.get("children", []))


def hanoi_moves(disks: int) -> int:
    if disks == 0:
        return 0
    return 2 * hanoi_moves(disks - 1) + 1


def years_to_double(rate: float) -> int:
    balance = 1.0
    years = 0
    while balance < 2.0:
        balance *= 1 + rate / 100
        years += 1
    return years


def halvings_until_one(n: int) -> int:
    count = 0
    while n > 1:
        n //= 2
        count += 1
    return count


def retry_delays(base: float, attempts: int, cap: float) -> list[float]:
    """Exponential back-off delays, never longer than cap."""
    return [min(base * 2 ** i, cap) for i in range(attempts)]


def first_free_port(used: set[int], start: int = 8000) -> int:
    port = start
    while port in used:
        port += 1
    return port


def unique_filename(name: str, existing: set[str]) -> str:
    if name not in existing:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    counter = 1
    while f"{stem}({counter}){dot}{ext}" in existing:
        counter += 1
    return f"{stem}({counter}){dot}{ext}"


def shared_tags(first: set[str], second: set[str]) -> list[str]:
    common = first & second
    return sorted(common)


def only_in_first(first: list[str], second: list[str]) -> list[str]:
    remaining = set(first) - set(second)
    return sorted(remaining)


def jaccard_similarity(a: set[str], b: set[str]) -> float:
    """Size of the intersection divided by the size of the union."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def distinct_visitors(visits: list[tuple[str, str]]) -> int:
    visitors = {visitor for visitor, _ in visits}
    return len(visitors)


def symmetric_changes(before: set[str], after: set[str]) -> tuple[list[str], list[str]]:
    added = sorted(after - before)
    removed = sorted(before - after)
    return added, removed


def swap_pair(pair: tuple[str, int]) -> tuple[int, str]:
    first, second = pair
    return second, first


def min_max(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[0], ordered[-1]


def split_full_name(full_name: str) -> tuple[str, str]:
    """Split a full name into (first, last); middle names go with first."""
    *first, last = full_name.split()
    return " ".join(first), last


def bounding_box(points: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def head_and_rest(queue: list[str]) -> tuple[str | None, list[str]]:
    if not queue:
        return None, []
    head, *rest = queue
    return head, rest


def format_receipt_line(item: str, qty: int, price: float) -> str:
    """One aligned receipt line: name, quantity and unit price."""
    return f"{item:<12}{qty:>3} x {price:>7.2f}"


def format_currency(amount: float, symbol: str = "$") -> str:
    """Format an amount with thousands separators and two decimals."""
    sign_text = "-" if amount < 0 else ""
    return f"{sign_text}{symbol}{abs(amount):,.2f}"


def progress_bar(done: int, total: int, width: int = 10) -> str:
    filled = done * width // total
    return "[" + "#" * filled + "-" * (width - filled) + f"] {done * 100 // total}%"


def format_score_line(team: str, goals_for: int, goals_against: int) -> str:
    result = "W" if goals_for > goals_against else "L" if goals_for < goals_against else "D"
    return f"{team}: {goals_for}-{goals_against} ({result})"


def log_line(level: str, module: str, message: str) -> str:
    tag = level.upper()
    return f"[{tag:<5}] {module}: {message}"


def format_coordinates(lat: float, lon: float) -> str:
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.3f}°{ns}, {abs(lon):.3f}°{ew}"


def table_row(cells: list[str], widths: list[int]) -> str:
    """Render cells as a pipe-separated row with fixed column widths."""
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"


def sql_placeholders(count: int) -> str:
    marks = ["?"] * count
    return ", ".join(marks)


def order_summary(order_id: int, items: int, total: float) -> str:
    noun = "item" if items == 1 else "items"
    return f"Order #{order_id:05d}: {items} {noun}, total {total:.2f}"


def hours_minutes(decimal_hours: float) -> str:
    total_minutes = round(decimal_hours * 60)
    return f"{total_minutes // 60}:{total_minutes % 60:02d}"


def column_letter(index: int) -> str:
    """Spreadsheet column name for a 1-based index (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index


def count_lines_matching(lines: list[str], pattern: str) -> int:
    regex = re.compile(pattern)
    return sum(1 for line in lines if regex.search(line))


def extract_numbers(text: str) -> list[float]:
    matches = re.findall(r"-?\d+(?:\.\d+)?", text)
    return [float(m) for m in matches]


def mask_secrets(config_line: str) -> str:
    key, sep, value = config_line.partition("=")
    if sep and any(word in key.lower() for word in ("password", "token", "secret")):
        return f"{key}={'*' * len(value)}"
    return config_line


def common_prefix(paths: list[str]) -> str:
    if not paths:
        return ""
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def sentence_case(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:].lower()


def swap_case_every_other(text: str) -> str:
    chars = [ch.upper() if i % 2 == 0 else ch.lower() for i, ch in enumerate(text)]
    return "".join(chars)


def join_with_and(items: list[str]) -> str:
    """Join names as 'a', 'a and b' or 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def remove_punctuation(text: str) -> str:
    kept = [ch for ch in text if ch.isalnum() or ch.isspace()]
    return "".join(kept)


def zero_pad_times(times: list[str]) -> list[str]:
    padded = []
    for stamp in times:
        hour, minute = stamp.split(":")
        padded.append(f"{hour.zfill(2)}:{minute.zfill(2)}")
    return padded


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [part for part in parts if part]


def first_word_longer_than(text: str, length: int) -> str | None:
    for word in text.split():
        if len(word) > length:
            return word
    return None


def path_join(*parts: str) -> str:
    cleaned = [part.strip("/") for part in parts if part.strip("/")]
    return "/".join(cleaned)


def parent_directory(path: str) -> str:
    """Directory part of a POSIX path ('' when there is none)."""
    head, _, _ = path.rstrip("/").rpartition("/")
    return head or ("/" if path.startswith("/") else "")


def low_stock_alerts(inventory: dict[str, int], threshold: int = 5) -> list[str]:
    low = sorted((qty, item) for item, qty in inventory.items() if qty < threshold)
    return [f"{item}: only {qty} left" for qty, item in low]


def seat_label(row: int, seat: int) -> str:
    row_letter = chr(ord("A") + row - 1)
    return f"{row_letter}{seat}"


def error_rate(status_codes: list[int]) -> float:
    """Share of responses with a 5xx status, as a percentage."""
    if not status_codes:
        return 0.0
    errors = sum(1 for code in status_codes if 500 <= code < 600)
    return round(errors / len(status_codes) * 100, 1)


def merge_time_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two half-open time intervals share any time."""
    return a[0] < b[1] and b[0] < a[1]


def strip_query_string(url: str) -> str:
    """Drop the ?query and #fragment parts of a URL."""
    for marker in ("#", "?"):
        url = url.split(marker, 1)[0]
    return url


def subnet_prefix(address: str, bits: int = 24) -> str:
    octets = address.split(".")
    kept = bits // 8
    network = octets[:kept] + ["0"] * (4 - kept)
    return ".".join(network) + f"/{bits}"


def increment_version(version: str, part: str = "patch") -> str:
    major, minor, patch = (int(n) for n in version.split("."))
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def permission_string(mode: int) -> str:
    """Render a Unix permission number such as 0o755 as 'rwxr-xr-x'."""
    flags = "rwx"
    result = ""
    for shift in range(8, -1, -1):
        result += flags[(8 - shift) % 3] if mode >> shift & 1 else "-"
    return result


def isbn10_is_valid(isbn: str) -> bool:
    chars = isbn.replace("-", "").upper()
    if len(chars) != 10 or not chars[:9].isdigit():
        return False
    if not (chars[9].isdigit() or chars[9] == "X"):
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(chars))
    return total % 11 == 0


def shelf_position(item_number: int, per_shelf: int) -> tuple[int, int]:
    """1-based (shelf, slot) of the n-th item when each shelf holds per_shelf items."""
    shelf, slot = divmod(item_number - 1, per_shelf)
    return shelf + 1, slot + 1


def reorder_point(daily_usage: float, lead_days: int, safety_stock: float = 0.0) -> float:
    demand_during_lead = daily_usage * lead_days
    return demand_during_lead + safety_stock


def format_ingredient(amount: float, unit: str, name: str) -> str:
    quantity = f"{amount:g}"
    if not unit:
        return f"{quantity} {name}"
    return f"{quantity} {unit} {name}"


def cooking_order(steps: list[tuple[str, int]]) -> list[str]:
    """Start the longest-running steps first; ties keep their original order."""
    ordered = sorted(steps, key=lambda step: step[1], reverse=True)
    return [name for name, _ in ordered]


def grade_distribution(grades: list[str]) -> str:
    counts = Counter(grades)
    return " ".join(f"{grade}:{counts[grade]}" for grade in sorted(counts))


def curve_scores(scores: list[float], target_max: float = 100) -> list[float]:
    top = max(scores)
    if top == 0:
        return list(scores)
    return [round(s * target_max / top, 1) for s in scores]


def absent_dates(register: dict[date, bool]) -> list[date]:
    """Sorted dates on which the student was marked absent."""
    return sorted(day for day, present in register.items() if not present)


def shift_rota(staff: list[str], days: list[str]) -> dict[str, str]:
    """Assign staff members to days in round-robin order."""
    rota = {}
    for i, day in enumerate(days):
        rota[day] = staff[i % len(staff)]
    return rota


def time_slots(start_hour: int, end_hour: int, step_minutes: int) -> list[str]:
    slots = []
    for minute in range(start_hour * 60, end_hour * 60, step_minutes):
        slots.append(f"{minute // 60:02d}:{minute % 60:02d}")
    return slots


def is_valid_time(text: str) -> bool:
    hours, sep, minutes = text.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        return False
    return int(hours) < 24 and int(minutes) < 60


def to_12_hour(stamp: str) -> str:
    hour, minute = (int(part) for part in stamp.split(":"))
    suffix = "AM" if hour < 12 else "PM"
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def smooth_readings(readings: list[float], alpha: float) -> list[float]:
    """Exponential smoothing: each value mixes the reading with the previous result."""
    smoothed: list[float] = []
    for value in readings:
        previous = smoothed[-1] if smoothed else value
        smoothed.append(alpha * value + (1 - alpha) * previous)
    return smoothed


def peak_indices(readings: list[float]) -> list[int]:
    peaks = []
    for i in range(1, len(readings) - 1):
        if readings[i - 1] < readings[i] > readings[i + 1]:
            peaks.append(i)
    return peaks


def next_invoice_number(last: str) -> str:
    prefix, _, number = last.rpartition("-")
    return f"{prefix}-{int(number) + 1:0{len(number)}d}"


def cents_to_display(cents: int) -> str:
    sign_text = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign_text}{units}.{rest:02d}"


def expand_port_spec(spec: str) -> list[int]:
    """Expand '22,80,8000-8002' into a sorted list of port numbers."""
    ports: set[int] = set()
    for part in spec.split(","):
        if "-" in part:
            low, high = (int(p) for p in part.split("-"))
            ports.update(range(low, high + 1))
        elif part.strip():
            ports.add(int(part))
    return sorted(ports)


def is_valid_hostname(name: str) -> bool:
    if not name or len(name) > 253:
        return False
    label = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
    return all(label.fullmatch(part) for part in name.rstrip(".").split("."))


def normalize_mac(address: str) -> str:
    hex_digits = re.sub(r"[^0-9a-fA-F]", "", address).lower()
    if len(hex_digits) != 12:
        raise ValueError(f"bad MAC address: {address!r}")
    return ":".join(hex_digits[i:i + 2] for i in range(0, 12, 2))


def ini_sections(lines: list[str]) -> list[str]:
    sections = []
    for line in lines:
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            sections.append(line[1:-1].strip())
    return sections


def nth_weekday_of_month(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0 = Monday) of a month, e.g. the 2nd Tuesday."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def expiry_status(expires: date, today: date, warn_days: int = 30) -> str:
    remaining = (expires - today).days
    if remaining < 0:
        return "expired"
    return "expiring soon" if remaining <= warn_days else "valid"


def honor_roll(results: dict[str, list[int]], cutoff: int) -> list[str]:
    """Students whose every score reaches the cutoff, in name order."""
    return sorted(name for name, scores in results.items() if scores and min(scores) >= cutoff)


def parse_bin_code(code: str) -> tuple[str, int, int] | None:
    match = re.fullmatch(r"([A-Z])(\d{2})-(\d)", code.strip().upper())
    if match is None:
        return None
    aisle, shelf, level = match.groups()
    return aisle, int(shelf), int(level)


def count_code_lines(source: str) -> int:
    total = 0
    for line in source.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            total += 1
    return total


def strip_ansi_codes(text: str) -> str:
    """Remove ANSI colour escape sequences from terminal output."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def compass_direction(degrees: float) -> str:
    points = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
    index = round(degrees / 45) % 8
    return points[index]


def rainfall_by_month(records: list[tuple[date, float]]) -> dict[str, float]:
    totals: defaultdict[str, float] = defaultdict(float)
    for day, millimetres in records:
        totals[f"{day.year}-{day.month:02d}"] += millimetres
    return dict(totals)


def normalize_readings(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if high == low:
        return [0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


TESTS: dict[str, list[str]] = {
    "slugify_title": [
        "assert slugify_title('Hello, World!') == 'hello-world'",
        "assert slugify_title('  Python 3.11 Tips ') == 'python-3-11-tips'",
    ],
    "pad_invoice_id": [
        "assert pad_invoice_id(42) == 'INV-000042'",
        "assert pad_invoice_id(1234567) == 'INV-1234567'",
        "assert pad_invoice_id(7, 3) == 'INV-007'",
    ],
    "email_domain": [
        "assert email_domain('Ana@Example.COM') == 'example.com'",
        "assert email_domain('ops@mail.corp.io') == 'mail.corp.io'",
    ],
    "is_valid_port": [
        "assert is_valid_port('8080') is True",
        "assert is_valid_port('0') is False",
        "assert is_valid_port('70000') is False",
        "assert is_valid_port('-1') is False",
    ],
    "parse_log_level": [
        "assert parse_log_level('12:00 [ERROR] disk full') == 'ERROR'",
        "assert parse_log_level('[INFO] started') == 'INFO'",
        "assert parse_log_level('no level here') is None",
    ],
    "truncate_label": [
        "assert truncate_label('Chocolate cake', 10) == 'Chocola...'",
        "assert truncate_label('Tea', 10) == 'Tea'",
    ],
    "snake_to_camel": [
        "assert snake_to_camel('max_retry_count') == 'maxRetryCount'",
        "assert snake_to_camel('timeout') == 'timeout'",
    ],
    "camel_to_snake": [
        "assert camel_to_snake('maxRetryCount') == 'max_retry_count'",
        "assert camel_to_snake('UserId') == 'user_id'",
    ],
    "center_banner": [
        "assert center_banner('MENU', 12) == '=== MENU ==='",
        "assert center_banner('Hi', 8, '*') == '** Hi **'",
    ],
    "strip_comment": [
        "assert strip_comment('port = 80  # web') == 'port = 80'",
        "assert strip_comment('# only a comment') == ''",
        "assert strip_comment('a; b', ';') == 'a'",
    ],
    "count_uppercase": [
        "assert count_uppercase('Hello World') == 2",
        "assert count_uppercase('abc') == 0",
    ],
    "normalize_whitespace": [
        "assert normalize_whitespace('  too   many\\tspaces ') == 'too many spaces'",
        "assert normalize_whitespace('') == ''",
    ],
    "extract_hashtags": [
        "assert extract_hashtags('Loving #Python and #AI today') == ['python', 'ai']",
        "assert extract_hashtags('just a # sign') == []",
    ],
    "phone_digits": [
        "assert phone_digits('+1 (555) 010-9999') == '15550109999'",
        "assert phone_digits('none') == ''",
    ],
    "format_us_phone": [
        "assert format_us_phone('555.123.4567') == '(555) 123-4567'",
        "assert format_us_phone('5551234567') == '(555) 123-4567'",
    ],
    "query_param": [
        "assert query_param('https://x.io/search?q=cats&page=2', 'page') == '2'",
        "assert query_param('https://x.io/search?q=cats', 'page') is None",
        "assert query_param('https://x.io/', 'q') is None",
    ],
    "url_host": [
        "assert url_host('https://docs.python.org/3/library') == 'docs.python.org'",
        "assert url_host('localhost:8000/api') == 'localhost'",
    ],
    "is_ipv4": [
        "assert is_ipv4('192.168.0.1') is True",
        "assert is_ipv4('256.1.1.1') is False",
        "assert is_ipv4('10.0.0') is False",
    ],
    "ip_to_int": [
        "assert ip_to_int('192.168.1.1') == 3232235777",
        "assert ip_to_int('0.0.1.0') == 256",
    ],
    "wrap_line": [
        "assert wrap_line('the quick brown fox', 10) == ['the quick', 'brown fox']",
        "assert wrap_line('', 5) == []",
        "assert wrap_line('supercalifragilistic x', 5) == ['supercalifragilistic', 'x']",
    ],
    "shout": [
        "assert shout(' stop ') == 'STOP!'",
        "assert shout('run') == 'RUN!'",
    ],
    "redact_emails": [
        "assert redact_emails('contact bob@example.com now') == 'contact [email] now'",
        "assert redact_emails('no address') == 'no address'",
    ],
    "align_config_rows": [
        "assert align_config_rows([('a', '1'), ('bbb', '2')]) == ['a   : 1', 'bbb : 2']",
        "assert align_config_rows([('host', 'db')]) == ['host : db']",
    ],
    "count_overlapping": [
        "assert count_overlapping('aaaa', 'aa') == 3",
        "assert count_overlapping('banana', 'ana') == 2",
        "assert count_overlapping('abc', 'z') == 0",
    ],
    "fill_template": [
        "assert fill_template('Hi {name}!', {'name': 'Ada'}) == 'Hi Ada!'",
        "assert fill_template('{a}-{b}', {'a': '1', 'b': '2'}) == '1-2'",
    ],
    "ordinal": [
        "assert ordinal(1) == '1st'",
        "assert ordinal(12) == '12th'",
        "assert ordinal(23) == '23rd'",
        "assert ordinal(112) == '112th'",
    ],
    "pluralize": [
        "assert pluralize('box', 3) == '3 boxes'",
        "assert pluralize('berry', 2) == '2 berries'",
        "assert pluralize('day', 0) == '0 days'",
        "assert pluralize('cat', 1) == '1 cat'",
    ],
    "strip_prefix_all": [
        "assert strip_prefix_all(['app_db', 'app_cache', 'web'], 'app_') == ['db', 'cache', 'web']",
        "assert strip_prefix_all([], 'x') == []",
    ],
    "dotted_leader": [
        "assert dotted_leader('Intro', 1, 10) == 'Intro....1'",
        "assert dotted_leader('Appendix', 120, 10) == 'Appendix.120'",
    ],
    "html_escape": [
        "assert html_escape('a < b & c') == 'a &lt; b &amp; c'",
        "assert html_escape('<b>') == '&lt;b&gt;'",
    ],
    "strip_html_tags": [
        "assert strip_html_tags('<p>Hello <b>you</b></p>') == 'Hello you'",
        "assert strip_html_tags('plain') == 'plain'",
    ],
    "csv_row": [
        "assert csv_row(['id', 3, 4.5]) == 'id,3,4.5'",
        "assert csv_row([]) == ''",
    ],
    "split_csv_line": [
        "assert split_csv_line('a, b ,c') == ['a', 'b', 'c']",
        "assert split_csv_line('x') == ['x']",
    ],
    "is_hex_color": [
        "assert is_hex_color('#1a2B3c') is True",
        "assert is_hex_color('#12345') is False",
        "assert is_hex_color('123456') is False",
    ],
    "longest_line_length": [
        "assert longest_line_length('ab\\nabcd\\nc') == 4",
        "assert longest_line_length('') == 0",
    ],
    "indent_block": [
        "assert indent_block('a\\nb', 2) == '  a\\n  b'",
        "assert indent_block('x\\n\\ny') == '    x\\n\\n    y'",
    ],
    "kebab_case": [
        "assert kebab_case('Shopping Cart Total') == 'shopping-cart-total'",
        "assert kebab_case('  one ') == 'one'",
    ],
    "is_strong_password": [
        "assert is_strong_password('Secret123') is True",
        "assert is_strong_password('secret123') is False",
        "assert is_strong_password('Sh0rt') is False",
    ],
    "username_from_email": [
        "assert username_from_email('Jane.Doe+news@mail.com') == 'jane_doe'",
        "assert username_from_email('bob@x.org') == 'bob'",
    ],
    "mime_type_for": [
        "assert mime_type_for('index.HTML') == 'text/html'",
        "assert mime_type_for('data.bin') == 'application/octet-stream'",
        "assert mime_type_for('Makefile') == 'application/octet-stream'",
    ],
    "items_in_stock": [
        "assert items_in_stock({'pen': 3, 'ink': 0, 'cap': 1}) == ['cap', 'pen']",
        "assert items_in_stock({}) == []",
    ],
    "chunk_playlist": [
        "assert chunk_playlist(['a', 'b', 'c'], 2) == [['a', 'b'], ['c']]",
        "assert chunk_playlist([], 3) == []",
    ],
    "running_balance": [
        "assert running_balance([100, -30, 50]) == [100.0, 70.0, 120.0]",
        "assert running_balance([]) == []",
    ],
    "gradebook": [
        "assert gradebook(['ann', 'bo'], [90, 75]) == {'ann': 90, 'bo': 75}",
        "assert gradebook([], []) == {}",
    ],
    "numbered_steps": [
        "assert numbered_steps(['Boil', 'Stir']) == ['1. Boil', '2. Stir']",
        "assert numbered_steps([]) == []",
    ],
    "interleave": [
        "assert interleave([1, 2, 3], [10, 20]) == [1, 10, 2, 20, 3]",
        "assert interleave([1], [5, 6, 7]) == [1, 5, 6, 7]",
    ],
    "rotate_left": [
        "assert rotate_left([1, 2, 3, 4], 1) == [2, 3, 4, 1]",
        "assert rotate_left([1, 2, 3], 5) == [3, 1, 2]",
        "assert rotate_left([], 2) == []",
    ],
    "window_sums": [
        "assert window_sums([1, 2, 3, 4], 2) == [3, 5, 7]",
        "assert window_sums([1, 2], 3) == []",
    ],
    "split_even_odd": [
        "assert split_even_odd([1, 2, 3, 4]) == ([2, 4], [1, 3])",
        "assert split_even_odd([]) == ([], [])",
    ],
    "first_negative_index": [
        "assert first_negative_index([3, 0, -2, -5]) == 2",
        "assert first_negative_index([1, 2]) == -1",
    ],
    "longest_track": [
        "assert longest_track({'intro': 90, 'epic': 420, 'outro': 60}) == 'epic'",
        "assert longest_track({'solo': 1}) == 'solo'",
    ],
    "files_by_size": [
        "assert files_by_size([('a', 10), ('b', 300), ('c', 50)]) == ['b', 'c', 'a']",
        "assert files_by_size([]) == []",
    ],
    "positions_of": [
        "assert positions_of(['x', 'y', 'x'], 'x') == [0, 2]",
        "assert positions_of(['a'], 'b') == []",
    ],
    "transpose": [
        "assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]",
        "assert transpose([]) == []",
    ],
    "main_diagonal": [
        "assert main_diagonal([[1, 2], [3, 4]]) == [1, 4]",
        "assert main_diagonal([[7, 8, 9]]) == [7]",
    ],
    "tail_lines": [
        "assert tail_lines(['a', 'b', 'c'], 2) == ['b', 'c']",
        "assert tail_lines(['a'], 0) == []",
        "assert tail_lines(['a'], 5) == ['a']",
    ],
    "every_other": [
        "assert every_other(['a', 'b', 'c', 'd', 'e']) == ['a', 'c', 'e']",
        "assert every_other([]) == []",
    ],
    "paragraphs": [
        "assert paragraphs(['a', 'b', '', '', 'c']) == [['a', 'b'], ['c']]",
        "assert paragraphs(['', ' ']) == []",
    ],
    "cumulative_max": [
        "assert cumulative_max([3, 1, 4, 1, 5]) == [3, 3, 4, 4, 5]",
        "assert cumulative_max([]) == []",
    ],
    "passing_students": [
        "assert passing_students({'ann': 70, 'bo': 40, 'cy': 50}) == ['ann', 'cy']",
        "assert passing_students({'ann': 70}, 80) == []",
    ],
    "nth_from_end": [
        "assert nth_from_end(['a', 'b', 'c'], 1) == 'c'",
        "assert nth_from_end(['a', 'b', 'c'], 3) == 'a'",
        "assert nth_from_end(['a'], 2) is None",
    ],
    "pad_list": [
        "assert pad_list([1, 2], 4) == [1, 2, 0, 0]",
        "assert pad_list([1, 2, 3], 2) == [1, 2, 3]",
        "assert pad_list([], 2, -1) == [-1, -1]",
    ],
    "sliding_pairs": [
        "assert sliding_pairs(['A', 'B', 'C']) == [('A', 'B'), ('B', 'C')]",
        "assert sliding_pairs(['A']) == []",
    ],
    "drop_none": [
        "assert drop_none([1, None, 'a', None]) == [1, 'a']",
        "assert drop_none([0, False]) == [0, False]",
    ],
    "split_on_value": [
        "assert split_on_value([1, 0, 2, 3, 0], 0) == [[1], [2, 3], []]",
        "assert split_on_value([5], 0) == [[5]]",
    ],
    "take_while_positive": [
        "assert take_while_positive([3, 2, 0, 5]) == [3, 2]",
        "assert take_while_positive([-1, 4]) == []",
    ],
    "sort_by_last_name": [
        "assert sort_by_last_name(['Al Turing', 'Ada Byron']) == ['Ada Byron', 'Al Turing']",
        "assert sort_by_last_name([]) == []",
    ],
    "sort_versions": [
        "assert sort_versions(['1.10.0', '1.2.0', '1.2']) == ['1.2', '1.2.0', '1.10.0']",
        "assert sort_versions(['2.0', '0.9']) == ['0.9', '2.0']",
    ],
    "unzip_pairs": [
        "assert unzip_pairs([('a', 1), ('b', 2)]) == (['a', 'b'], [1, 2])",
        "assert unzip_pairs([]) == ([], [])",
    ],
    "count_in_range": [
        "assert count_in_range([1.5, 2.0, 3.7, 9.0], 2, 4) == 2",
        "assert count_in_range([], 0, 1) == 0",
    ],
    "replace_outliers": [
        "assert replace_outliers([1.0, 500.0, -2.0], 100) == [1.0, 0.0, -2.0]",
        "assert replace_outliers([], 1) == []",
    ],
    "find_gaps": [
        "assert find_gaps([1, 2, 5, 7]) == [3, 4, 6]",
        "assert find_gaps([]) == []",
        "assert find_gaps([4, 3]) == []",
    ],
    "group_consecutive": [
        "assert group_consecutive([1, 2, 3, 7, 8, 10]) == [[1, 2, 3], [7, 8], [10]]",
        "assert group_consecutive([]) == []",
    ],
    "dot_product": [
        "assert dot_product([1, 2, 3], [4, 5, 6]) == 32",
        "assert dot_product([], []) == 0",
    ],
    "shopping_list": [
        "assert shopping_list([['egg', 'milk'], ['milk', 'flour']]) == ['egg', 'flour', 'milk']",
        "assert shopping_list([]) == []",
    ],
    "queue_position": [
        "assert queue_position(['ann', 'bo', 'cy'], 'bo') == 2",
        "assert queue_position(['ann'], 'zed') is None",
    ],
    "rank_labels": [
        "assert rank_labels([50, 80, 50, 90]) == [3, 2, 3, 1]",
        "assert rank_labels([]) == []",
    ],
    "is_sorted_ascending": [
        "assert is_sorted_ascending([1, 2, 2, 5]) is True",
        "assert is_sorted_ascending([3, 1]) is False",
        "assert is_sorted_ascending([]) is True",
    ],
    "matrix_row_totals": [
        "assert matrix_row_totals([[1, 2], [3, 4, 5]]) == [3, 12]",
        "assert matrix_row_totals([]) == []",
    ],
    "group_by_department": [
        "assert group_by_department([('a', 'hr'), ('b', 'it'), ('c', 'hr')])['hr'] == ['a', 'c']",
        "assert group_by_department([]) == {}",
    ],
    "invert_port_map": [
        "assert invert_port_map({'http': 80, 'ssh': 22}) == {80: 'http', 22: 'ssh'}",
        "assert invert_port_map({}) == {}",
    ],
    "merge_settings": [
        "assert merge_settings({'a': '1', 'b': '2'}, {'b': '3'}) == {'a': '1', 'b': '3'}",
        "assert merge_settings({}, {'x': 'y'}) == {'x': 'y'}",
    ],
    "nested_get": [
        "assert nested_get({'db': {'host': 'h', 'port': 5}}, 'db.port') == 5",
        "assert nested_get({'db': {}}, 'db.user', 'root') == 'root'",
        "assert nested_get({'a': 1}, 'a.b') is None",
    ],
    "menu_price": [
        "assert menu_price({'latte': 3.5}, ' Latte ') == 3.5",
        "assert menu_price({'latte': 3.5}, 'mocha') == 0.0",
    ],
    "stock_value": [
        "assert stock_value({'pen': (10, 1.5), 'pad': (2, 4.0)}) == 23.0",
        "assert stock_value({}) == 0",
    ],
    "keys_with_value": [
        "assert keys_with_value({'b': 1, 'a': 1, 'c': 2}, 1) == ['a', 'b']",
        "assert keys_with_value({'a': 1}, 9) == []",
    ],
    "restock_orders": [
        "assert restock_orders({'nuts': 3, 'bolts': 20}, {'nuts': 10, 'bolts': 5}) == {'nuts': 7}",
        "assert restock_orders({}, {'gloves': 2}) == {'gloves': 2}",
    ],
    "index_by_id": [
        "assert index_by_id([{'id': 1, 'n': 'a'}, {'id': 2}])[1] == {'id': 1, 'n': 'a'}",
        "assert index_by_id([]) == {}",
    ],
    "add_to_cart": [
        "assert add_to_cart({'apple': 2}, 'apple') == {'apple': 3}",
        "assert add_to_cart({}, 'pear', 4) == {'pear': 4}",
    ],
    "remove_empty_values": [
        "assert remove_empty_values({'a': 'x', 'b': '', 'c': '  '}) == {'a': 'x'}",
        "assert remove_empty_values({}) == {}",
    ],
    "sum_by_customer": [
        "assert sum_by_customer([('ann', 10.0), ('bo', 5.0), ('ann', 2.5)])['ann'] == 12.5",
        "assert sum_by_customer([]) == {}",
    ],
    "config_diff": [
        "assert config_diff({'a': '1', 'b': '2'}, {'a': '1'}) == {'b': ('2', None)}",
        "assert config_diff({'a': '1'}, {'a': '1'}) == {}",
    ],
    "parse_env_lines": [
        "assert parse_env_lines(['# c', 'HOST = db', '']) == {'HOST': 'db'}",
        "assert parse_env_lines(['NAME=\"app\"']) == {'NAME': 'app'}",
    ],
    "letter_histogram": [
        "assert letter_histogram('Abba!') == {'a': 2, 'b': 2}",
        "assert letter_histogram('123') == {}",
    ],
    "first_seen_order": [
        "assert first_seen_order([('u1', 5), ('u2', 7), ('u1', 9)]) == {'u1': 5, 'u2': 7}",
        "assert first_seen_order([]) == {}",
    ],
    "filter_by_tag": [
        "assert filter_by_tag({'b': {'py', 'web'}, 'a': {'py'}, 'c': {'go'}}, 'py') == ['a', 'b']",
        "assert filter_by_tag({}, 'py') == []",
    ],
    "rename_keys": [
        "assert rename_keys({'usr': 'ann', 'id': 3}, {'usr': 'user'}) == {'user': 'ann', 'id': 3}",
        "assert rename_keys({}, {'a': 'b'}) == {}",
    ],
    "pick_fields": [
        "assert pick_fields({'id': 1, 'name': 'x', 'pw': 's'}, ['id']) == {'id': 1}",
        "assert pick_fields({'id': 1}, ['email']) == {}",
    ],
    "count_by_length": [
        "assert count_by_length(['to', 'be', 'or', 'not']) == {2: 3, 3: 1}",
        "assert count_by_length([]) == {}",
    ],
    "timetable_lookup": [
        "assert timetable_lookup({'Main St': ['08:00', '08:30']}, 'Main St') == '08:00, 08:30'",
        "assert timetable_lookup({'Main St': []}, 'Main St') == 'no service'",
        "assert timetable_lookup({}, 'Park') == 'no service'",
    ],
    "latest_reading": [
        "assert latest_reading({'t1': [20.5, 21.0]}, 't1') == 21.0",
        "assert latest_reading({'t1': []}, 't1') is None",
        "assert latest_reading({}, 't9') is None",
    ],
    "flip_grades": [
        "assert flip_grades({'cy': 'A', 'al': 'A', 'bo': 'B'}) == {'A': ['al', 'cy'], 'B': ['bo']}",
        "assert flip_grades({}) == {}",
    ],
    "deep_count_keys": [
        "assert deep_count_keys({'a': 1, 'b': {'c': 2, 'd': {'e': 3}}}) == 5",
        "assert deep_count_keys({}) == 0",
    ],
    "dict_to_query": [
        "assert dict_to_query({'q': 'tea', 'page': 2}) == 'q=tea&page=2'",
        "assert dict_to_query({}) == ''",
    ],
    "counter_total": [
        "assert counter_total({'a': 3, 'b': 4}) == 7",
        "assert counter_total({}) == 0",
    ],
    "common_keys": [
        "assert common_keys({'a': 1, 'b': 2}, {'b': 3, 'a': 0, 'z': 1}) == ['a', 'b']",
        "assert common_keys({'a': 1}, {}) == []",
    ],
    "highest_paid": [
        "assert highest_paid({'ann': 50000, 'bo': 72000}) == ('bo', 72000)",
        "assert highest_paid({'solo': 1}) == ('solo', 1)",
    ],
    "nest_by_prefix": [
        "assert nest_by_prefix({'db.host': 'h', 'app.debug': '1'})['db'] == {'host': 'h'}",
        "assert nest_by_prefix({}) == {}",
    ],
    "tally_votes": [
        "assert tally_votes(['bo', 'al', 'bo', 'cy', 'al']) == [('al', 2), ('bo', 2), ('cy', 1)]",
        "assert tally_votes([]) == []",
    ],
    "missing_keys": [
        "assert missing_keys(['host', 'port', 'user'], {'host': 'x'}) == ['port', 'user']",
        "assert missing_keys([], {}) == []",
    ],
    "percent_of": [
        "assert percent_of(1, 3) == 33.3",
        "assert percent_of(5, 0) == 0.0",
        "assert percent_of(50, 200) == 25.0",
    ],
    "km_to_miles": [
        "assert km_to_miles(10) == 6.21",
        "assert km_to_miles(0) == 0",
    ],
    "digit_sum": [
        "assert digit_sum(1234) == 10",
        "assert digit_sum(-905) == 14",
        "assert digit_sum(0) == 0",
    ],
    "round_to_step": [
        "assert round_to_step(17, 5) == 15",
        "assert round_to_step(18, 5) == 20",
        "assert round_to_step(0.74, 0.25) == 0.75",
    ],
    "seconds_to_hms": [
        "assert seconds_to_hms(3725) == '01:02:05'",
        "assert seconds_to_hms(59) == '00:00:59'",
    ],
    "hms_to_seconds": [
        "assert hms_to_seconds('01:02:05') == 3725",
        "assert hms_to_seconds('00:00:00') == 0",
    ],
    "count_digits": [
        "assert count_digits(12345) == 5",
        "assert count_digits(-7) == 1",
        "assert count_digits(0) == 1",
    ],
    "is_power_of_two": [
        "assert is_power_of_two(64) is True",
        "assert is_power_of_two(12) is False",
        "assert is_power_of_two(0) is False",
    ],
    "divisors": [
        "assert divisors(12) == [1, 2, 3, 4, 6, 12]",
        "assert divisors(16) == [1, 2, 4, 8, 16]",
        "assert divisors(1) == [1]",
    ],
    "is_perfect_number": [
        "assert is_perfect_number(28) is True",
        "assert is_perfect_number(12) is False",
        "assert is_perfect_number(1) is False",
    ],
    "tip_amount": [
        "assert tip_amount(80, 15) == 12.0",
        "assert tip_amount(23.5, 10) == 2.35",
    ],
    "compound_interest": [
        "assert compound_interest(1000, 5, 2) == 1102.5",
        "assert compound_interest(500, 0, 10) == 500",
    ],
    "sign": [
        "assert sign(-3.2) == -1",
        "assert sign(0) == 0",
        "assert sign(7) == 1",
    ],
    "reverse_digits": [
        "assert reverse_digits(1230) == 321",
        "assert reverse_digits(7) == 7",
    ],
    "is_armstrong": [
        "assert is_armstrong(153) is True",
        "assert is_armstrong(154) is False",
    ],
    "collatz_steps": [
        "assert collatz_steps(1) == 0",
        "assert collatz_steps(6) == 8",
    ],
    "triangle_number": [
        "assert triangle_number(4) == 10",
        "assert triangle_number(0) == 0",
    ],
    "hypotenuse": [
        "assert hypotenuse(3, 4) == 5.0",
        "assert hypotenuse(5, 12) == 13.0",
    ],
    "circle_area": [
        "assert circle_area(1) == 3.14",
        "assert circle_area(2) == 12.57",
    ],
    "bmi": [
        "assert bmi(70, 1.75) == 22.9",
        "assert bmi(50, 1.6) == 19.5",
    ],
    "limit_speed": [
        "assert limit_speed(130, 120) == 120",
        "assert limit_speed(80, 120) == 80",
    ],
    "vat_breakdown": [
        "assert vat_breakdown(120, 20) == (100.0, 20.0)",
        "assert vat_breakdown(10, 0) == (10.0, 0.0)",
    ],
    "price_with_tax": [
        "assert price_with_tax(100, 20) == 120.0",
        "assert price_with_tax(9.99, 0) == 9.99",
    ],
    "grams_to_ounces": [
        "assert grams_to_ounces(100) == 3.53",
        "assert grams_to_ounces(0) == 0",
    ],
    "liters_to_cups": [
        "assert liters_to_cups(1) == 4.2",
        "assert liters_to_cups(2) == 8.5",
    ],
    "pace_per_km": [
        "assert pace_per_km(1500, 5) == '5:00'",
        "assert pace_per_km(2710, 10) == '4:31'",
    ],
    "even_sum_below": [
        "assert even_sum_below(10) == 20",
        "assert even_sum_below(1) == 0",
    ],
    "multiples_of": [
        "assert multiples_of(3, 10) == [3, 6, 9]",
        "assert multiples_of(5, 4) == []",
    ],
    "nearest_multiple": [
        "assert nearest_multiple(23, 10) == 20",
        "assert nearest_multiple(27, 10) == 30",
        "assert nearest_multiple(25, 10) == 30",
    ],
    "int_to_base": [
        "assert int_to_base(255, 16) == 'FF'",
        "assert int_to_base(0, 8) == '0'",
        "assert int_to_base(64, 8) == '100'",
    ],
    "is_luhn_valid": [
        "assert is_luhn_valid('4539 1488 0343 6467') is True",
        "assert is_luhn_valid('8273 1232 7352 0569') is False",
    ],
    "percent_change": [
        "assert percent_change(50, 75) == 50.0",
        "assert percent_change(200, 150) == -25.0",
    ],
    "temperature_span": [
        "assert temperature_span([12.5, 18.0, 9.5]) == 8.5",
        "assert temperature_span([4.0]) == 0.0",
    ],
    "count_multiples_in_range": [
        "assert count_multiples_in_range(1, 10, 3) == 3",
        "assert count_multiples_in_range(10, 20, 5) == 3",
    ],
    "product_of": [
        "assert product_of([2, 3, 4]) == 24",
        "assert product_of([]) == 1",
    ],
    "distance_2d": [
        "assert distance_2d((0, 0), (3, 4)) == 5.0",
        "assert distance_2d((1, 1), (1, 1)) == 0.0",
    ],
    "manhattan_distance": [
        "assert manhattan_distance((1, 2), (4, 6)) == 7",
        "assert manhattan_distance((0, 0), (-2, 3)) == 5",
    ],
    "integer_sqrt_floor": [
        "assert integer_sqrt_floor(17) == 4",
        "assert integer_sqrt_floor(16) == 4",
        "assert integer_sqrt_floor(0) == 0",
    ],
    "power_mod": [
        "assert power_mod(2, 10, 1000) == 24",
        "assert power_mod(3, 0, 7) == 1",
        "assert power_mod(7, 222, 13) == pow(7, 222, 13)",
    ],
    "loan_payment": [
        "assert loan_payment(1200, 0, 12) == 100.0",
        "assert loan_payment(10000, 6, 12) == 860.66",
    ],
    "days_between": [
        "assert days_between(date(2024, 1, 1), date(2024, 1, 31)) == 30",
        "assert days_between(date(2024, 3, 5), date(2024, 3, 1)) == -4",
    ],
    "add_business_days": [
        "assert add_business_days(date(2024, 1, 5), 1) == date(2024, 1, 8)",
        "assert add_business_days(date(2024, 1, 1), 5) == date(2024, 1, 8)",
        "assert add_business_days(date(2024, 1, 3), 0) == date(2024, 1, 3)",
    ],
    "weekday_name": [
        "assert weekday_name(date(2024, 1, 1)) == 'Monday'",
        "assert weekday_name(date(2024, 6, 16)) == 'Sunday'",
    ],
    "iso_week_label": [
        "assert iso_week_label(date(2024, 1, 1)) == '2024-W01'",
        "assert iso_week_label(date(2021, 1, 1)) == '2020-W53'",
    ],
    "parse_iso_date": [
        "assert parse_iso_date(' 2024-02-29 ') == date(2024, 2, 29)",
        "assert parse_iso_date('2023-02-30') is None",
        "assert parse_iso_date('soon') is None",
    ],
    "last_day_of_month": [
        "assert last_day_of_month(date(2023, 12, 5)) == date(2023, 12, 31)",
        "assert last_day_of_month(date(2023, 4, 1)) == date(2023, 4, 30)",
    ],
    "is_weekend": [
        "assert is_weekend(date(2024, 1, 6)) is True",
        "assert is_weekend(date(2024, 1, 8)) is False",
    ],
    "dates_between": [
        "assert dates_between(date(2024, 1, 31), date(2024, 2, 1))[-1] == date(2024, 2, 1)",
        "assert dates_between(date(2024, 1, 2), date(2024, 1, 1)) == []",
        "assert len(dates_between(date(2024, 1, 30), date(2024, 2, 1))) == 3",
    ],
    "next_weekday": [
        "assert next_weekday(date(2024, 1, 1), 4) == date(2024, 1, 5)",
        "assert next_weekday(date(2024, 1, 1), 0) == date(2024, 1, 8)",
    ],
    "invoice_due_date": [
        "assert invoice_due_date(date(2024, 1, 15)) == '2024-02-14'",
        "assert invoice_due_date(date(2024, 1, 15), 7) == '2024-01-22'",
    ],
    "format_us_date": [
        "assert format_us_date(date(2024, 7, 4)) == '07/04/2024'",
        "assert format_us_date(date(1999, 12, 31)) == '12/31/1999'",
    ],
    "parse_us_date": [
        "assert parse_us_date('07/04/2024') == date(2024, 7, 4)",
        "assert parse_us_date('1/2/2003') == date(2003, 1, 2)",
    ],
    "week_start": [
        "assert week_start(date(2024, 1, 4)) == date(2024, 1, 1)",
        "assert week_start(date(2024, 1, 1)) == date(2024, 1, 1)",
    ],
    "safe_int": [
        "assert safe_int('42') == 42",
        "assert safe_int('4.2') == 0",
        "assert safe_int('x', -1) == -1",
    ],
    "parse_price": [
        "assert parse_price('$1,299.50') == 1299.5",
        "assert parse_price(' 3 ') == 3.0",
        "assert parse_price('free') is None",
    ],
    "parse_key_value": [
        "assert parse_key_value('timeout = 30') == ('timeout', '30')",
        "assert parse_key_value('url=a=b') == ('url', 'a=b')",
        "assert parse_key_value('broken') is None",
    ],
    "parse_duration": [
        "assert parse_duration('1h30m') == 5400",
        "assert parse_duration('45s') == 45",
        "assert parse_duration('') == 0",
    ],
    "is_newer_version": [
        "assert is_newer_version('1.9.0', '1.10.0') is True",
        "assert is_newer_version('2.0', '2.0') is False",
    ],
    "parse_bool_flag": [
        "assert parse_bool_flag(' Yes ') is True",
        "assert parse_bool_flag('off') is False",
        "assert parse_bool_flag('') is False",
    ],
    "parse_int_list": [
        "assert parse_int_list('1, 2,x,4') == [1, 2, 4]",
        "assert parse_int_list('') == []",
    ],
    "parse_host_port": [
        "assert parse_host_port('db.local:5432') == ('db.local', 5432)",
        "assert parse_host_port('example.com') == ('example.com', 80)",
        "assert parse_host_port('h:abc', 443) == ('h', 443)",
    ],
    "parse_percentage": [
        "assert parse_percentage('25%') == 0.25",
        "assert parse_percentage(' 150 % ') == 1.5",
    ],
    "parse_temperature": [
        "assert parse_temperature('21.5°C') == 21.5",
        "assert parse_temperature('-3 C') == -3.0",
        "assert parse_temperature('warm') is None",
    ],
    "parse_dimensions": [
        "assert parse_dimensions('1920x1080') == (1920, 1080)",
        "assert parse_dimensions('64X48') == (64, 48)",
    ],
    "is_valid_email": [
        "assert is_valid_email('ann.lee+tag@mail.example.org') is True",
        "assert is_valid_email('ann@localhost') is False",
        "assert is_valid_email('no-at-sign.com') is False",
    ],
    "has_duplicates": [
        "assert has_duplicates(['a', 'b', 'a']) is True",
        "assert has_duplicates(['a', 'b']) is False",
    ],
    "is_subset_of_menu": [
        "assert is_subset_of_menu(['tea', 'cake'], {'tea', 'cake', 'pie'}) is True",
        "assert is_subset_of_menu(['beer'], {'tea'}) is False",
    ],
    "any_error_lines": [
        "assert any_error_lines(['INFO ok', 'ERROR boom']) is True",
        "assert any_error_lines(['INFO ok']) is False",
    ],
    "is_business_hours": [
        "assert is_business_hours(10, 2) is True",
        "assert is_business_hours(17, 2) is False",
        "assert is_business_hours(10, 6) is False",
    ],
    "is_valid_zip": [
        "assert is_valid_zip('02139') is True",
        "assert is_valid_zip('2139') is False",
        "assert is_valid_zip('0213a') is False",
    ],
    "has_required_headers": [
        "assert has_required_headers({'Content-Type': 'x', 'Host': 'h'}, ['host']) is True",
        "assert has_required_headers({'Host': 'h'}, ['Accept']) is False",
    ],
    "is_monotonic_increase": [
        "assert is_monotonic_increase([1.0, 2.5, 3.0]) is True",
        "assert is_monotonic_increase([1.0, 1.0]) is False",
    ],
    "is_balanced_brackets": [
        "assert is_balanced_brackets('{a[b](c)}') is True",
        "assert is_balanced_brackets('(]') is False",
        "assert is_balanced_brackets('((') is False",
    ],
    "is_hidden_file": [
        "assert is_hidden_file('/home/u/.bashrc') is True",
        "assert is_hidden_file('docs/readme.md') is False",
        "assert is_hidden_file('.git/') is True",
    ],
    "nested_depth": [
        "assert nested_depth([1, [2, [3]], []]) == 3",
        "assert nested_depth(5) == 0",
        "assert nested_depth([]) == 1",
    ],
    "sum_nested_prices": [
        "assert sum_nested_prices([1.5, [2.0, [3.5]], 1]) == 8.0",
        "assert sum_nested_prices([]) == 0.0",
    ],
    "power_set_size": [
        "assert power_set_size(['a', 'b', 'c']) == 8",
        "assert power_set_size([]) == 1",
    ],
    "count_paths": [
        "assert count_paths(3, 3) == 6",
        "assert count_paths(1, 5) == 1",
    ],
    "binary_search": [
        "assert binary_search([2, 5, 8, 12], 8) == 2",
        "assert binary_search([2, 5, 8, 12], 3) == -1",
        "assert binary_search([], 1) == -1",
    ],
    "tree_size": [
        "assert tree_size({'children': [{'children': [{}]}, {}]}) == 4",
        "assert tree_size({}) == 1",
    ],
    "hanoi_moves": [
        "assert hanoi_moves(3) == 7",
        "assert hanoi_moves(0) == 0",
    ],
    "years_to_double": [
        "assert years_to_double(10) == 8",
        "assert years_to_double(100) == 1",
    ],
    "halvings_until_one": [
        "assert halvings_until_one(8) == 3",
        "assert halvings_until_one(1) == 0",
        "assert halvings_until_one(10) == 3",
    ],
    "retry_delays": [
        "assert retry_delays(0.5, 4, 3.0) == [0.5, 1.0, 2.0, 3.0]",
        "assert retry_delays(1, 0, 5) == []",
    ],
    "first_free_port": [
        "assert first_free_port({8000, 8001, 8003}) == 8002",
        "assert first_free_port(set(), 22) == 22",
    ],
    "unique_filename": [
        "assert unique_filename('a.txt', {'a.txt', 'a(1).txt'}) == 'a(2).txt'",
        "assert unique_filename('b.txt', {'a.txt'}) == 'b.txt'",
        "assert unique_filename('notes', {'notes'}) == 'notes(1)'",
    ],
    "shared_tags": [
        "assert shared_tags({'py', 'web', 'db'}, {'db', 'py'}) == ['db', 'py']",
        "assert shared_tags(set(), {'x'}) == []",
    ],
    "only_in_first": [
        "assert only_in_first(['a', 'b', 'c', 'a'], ['b']) == ['a', 'c']",
        "assert only_in_first([], ['x']) == []",
    ],
    "jaccard_similarity": [
        "assert jaccard_similarity({'a', 'b'}, {'b', 'c'}) == 1 / 3",
        "assert jaccard_similarity(set(), set()) == 1.0",
    ],
    "distinct_visitors": [
        "assert distinct_visitors([('ann', '/'), ('bo', '/a'), ('ann', '/b')]) == 2",
        "assert distinct_visitors([]) == 0",
    ],
    "symmetric_changes": [
        "assert symmetric_changes({'a', 'b'}, {'b', 'c'}) == (['c'], ['a'])",
        "assert symmetric_changes(set(), set()) == ([], [])",
    ],
    "swap_pair": [
        "assert swap_pair(('apples', 3)) == (3, 'apples')",
        "assert swap_pair(('', 0)) == (0, '')",
    ],
    "min_max": [
        "assert min_max([3.5, -1.0, 7.25]) == (-1.0, 7.25)",
        "assert min_max([2]) == (2, 2)",
    ],
    "split_full_name": [
        "assert split_full_name('Mary Ann Smith') == ('Mary Ann', 'Smith')",
        "assert split_full_name('Cher') == ('', 'Cher')",
    ],
    "bounding_box": [
        "assert bounding_box([(1, 5), (3, 2), (-1, 4)]) == (-1, 2, 3, 5)",
        "assert bounding_box([(0, 0)]) == (0, 0, 0, 0)",
    ],
    "head_and_rest": [
        "assert head_and_rest(['a', 'b', 'c']) == ('a', ['b', 'c'])",
        "assert head_and_rest([]) == (None, [])",
    ],
    "format_receipt_line": [
        "assert format_receipt_line('Coffee', 2, 3.5) == 'Coffee        2 x    3.50'",
        "assert len(format_receipt_line('Tea', 1, 1)) == 25",
    ],
    "format_currency": [
        "assert format_currency(1234567.891) == '$1,234,567.89'",
        "assert format_currency(-5, '€') == '-€5.00'",
    ],
    "progress_bar": [
        "assert progress_bar(3, 10) == '[###-------] 30%'",
        "assert progress_bar(5, 5, 4) == '[####] 100%'",
    ],
    "format_score_line": [
        "assert format_score_line('Reds', 2, 1) == 'Reds: 2-1 (W)'",
        "assert format_score_line('Blues', 0, 0) == 'Blues: 0-0 (D)'",
        "assert format_score_line('Greens', 1, 3) == 'Greens: 1-3 (L)'",
    ],
    "log_line": [
        "assert log_line('info', 'db', 'connected') == '[INFO ] db: connected'",
        "assert log_line('error', 'api', 'timeout') == '[ERROR] api: timeout'",
    ],
    "format_coordinates": [
        "assert format_coordinates(51.5074, -0.1278) == '51.507°N, 0.128°W'",
        "assert format_coordinates(-33.8688, 151.2093) == '33.869°S, 151.209°E'",
    ],
    "table_row": [
        "assert table_row(['id', 'name'], [3, 6]) == '| id  | name   |'",
        "assert table_row(['x'], [1]) == '| x |'",
    ],
    "sql_placeholders": [
        "assert sql_placeholders(3) == '?, ?, ?'",
        "assert sql_placeholders(0) == ''",
    ],
    "order_summary": [
        "assert order_summary(42, 3, 19.5) == 'Order #00042: 3 items, total 19.50'",
        "assert order_summary(7, 1, 2) == 'Order #00007: 1 item, total 2.00'",
    ],
    "hours_minutes": [
        "assert hours_minutes(1.5) == '1:30'",
        "assert hours_minutes(0.25) == '0:15'",
        "assert hours_minutes(2) == '2:00'",
    ],
    "column_letter": [
        "assert column_letter(1) == 'A'",
        "assert column_letter(27) == 'AA'",
        "assert column_letter(702) == 'ZZ'",
    ],
    "column_index": [
        "assert column_index('A') == 1",
        "assert column_index('aa') == 27",
        "assert column_index('ZZ') == 702",
    ],
    "count_lines_matching": [
        "assert count_lines_matching(['GET /a 200', 'GET /b 500', 'POST 503'], r' 5\\d\\d$') == 2",
        "assert count_lines_matching([], 'x') == 0",
    ],
    "extract_numbers": [
        "assert extract_numbers('temp -3.5 at 12 sites') == [-3.5, 12.0]",
        "assert extract_numbers('none') == []",
    ],
    "mask_secrets": [
        "assert mask_secrets('DB_PASSWORD=hunter2') == 'DB_PASSWORD=*******'",
        "assert mask_secrets('HOST=db') == 'HOST=db'",
    ],
    "common_prefix": [
        "assert common_prefix(['/var/log/a', '/var/log/b', '/var/lib']) == '/var/l'",
        "assert common_prefix([]) == ''",
        "assert common_prefix(['abc', 'xyz']) == ''",
    ],
    "sentence_case": [
        "assert sentence_case('  hELLO THERE ') == 'Hello there'",
        "assert sentence_case('') == ''",
    ],
    "swap_case_every_other": [
        "assert swap_case_every_other('python') == 'PyThOn'",
        "assert swap_case_every_other('') == ''",
    ],
    "join_with_and": [
        "assert join_with_and(['ann', 'bo', 'cy']) == 'ann, bo and cy'",
        "assert join_with_and(['ann', 'bo']) == 'ann and bo'",
        "assert join_with_and(['ann']) == 'ann'",
        "assert join_with_and([]) == ''",
    ],
    "remove_punctuation": [
        "assert remove_punctuation('Hi, there! (ok)') == 'Hi there ok'",
        "assert remove_punctuation('...') == ''",
    ],
    "zero_pad_times": [
        "assert zero_pad_times(['9:5', '14:30']) == ['09:05', '14:30']",
        "assert zero_pad_times([]) == []",
    ],
    "split_sentences": [
        "assert split_sentences('Hi there. How are you? Fine!')[1] == 'How are you?'",
        "assert split_sentences('  ') == []",
    ],
    "first_word_longer_than": [
        "assert first_word_longer_than('a tiny elephant walked', 4) == 'elephant'",
        "assert first_word_longer_than('a b', 3) is None",
    ],
    "path_join": [
        "assert path_join('var/', '/log', 'app.log') == 'var/log/app.log'",
        "assert path_join('', 'x') == 'x'",
    ],
    "parent_directory": [
        "assert parent_directory('/var/log/app.log') == '/var/log'",
        "assert parent_directory('/etc') == '/'",
        "assert parent_directory('notes.txt') == ''",
    ],
    "low_stock_alerts": [
        "assert low_stock_alerts({'tape': 2, 'glue': 9, 'pin': 0})[0] == 'pin: only 0 left'",
        "assert low_stock_alerts({'a': 5}) == []",
    ],
    "seat_label": [
        "assert seat_label(1, 12) == 'A12'",
        "assert seat_label(3, 4) == 'C4'",
    ],
    "error_rate": [
        "assert error_rate([200, 500, 404, 503]) == 50.0",
        "assert error_rate([]) == 0.0",
        "assert error_rate([200, 200, 502]) == 33.3",
    ],
    "merge_time_ranges": [
        "assert merge_time_ranges([(9, 11), (10, 12), (14, 15)]) == [(9, 12), (14, 15)]",
        "assert merge_time_ranges([]) == []",
    ],
    "overlaps": [
        "assert overlaps((9, 11), (10, 12)) is True",
        "assert overlaps((9, 10), (10, 11)) is False",
    ],
    "strip_query_string": [
        "assert strip_query_string('https://a.io/p?x=1#top') == 'https://a.io/p'",
        "assert strip_query_string('https://a.io/#frag') == 'https://a.io/'",
        "assert strip_query_string('plain') == 'plain'",
    ],
    "subnet_prefix": [
        "assert subnet_prefix('192.168.7.42') == '192.168.7.0/24'",
        "assert subnet_prefix('10.20.30.40', 8) == '10.0.0.0/8'",
        "assert subnet_prefix('10.20.30.40', 16) == '10.20.0.0/16'",
    ],
    "increment_version": [
        "assert increment_version('1.4.2') == '1.4.3'",
        "assert increment_version('1.4.2', 'minor') == '1.5.0'",
        "assert increment_version('1.4.2', 'major') == '2.0.0'",
    ],
    "permission_string": [
        "assert permission_string(0o755) == 'rwxr-xr-x'",
        "assert permission_string(0o640) == 'rw-r-----'",
        "assert permission_string(0) == '---------'",
    ],
    "isbn10_is_valid": [
        "assert isbn10_is_valid('0-306-40615-2') is True",
        "assert isbn10_is_valid('0-8044-2957-X') is True",
        "assert isbn10_is_valid('0-306-40615-3') is False",
        "assert isbn10_is_valid('12345') is False",
    ],
    "shelf_position": [
        "assert shelf_position(1, 10) == (1, 1)",
        "assert shelf_position(10, 10) == (1, 10)",
        "assert shelf_position(11, 10) == (2, 1)",
    ],
    "reorder_point": [
        "assert reorder_point(12, 5) == 60.0",
        "assert reorder_point(12, 5, 20) == 80",
    ],
    "format_ingredient": [
        "assert format_ingredient(1.5, 'cups', 'flour') == '1.5 cups flour'",
        "assert format_ingredient(2.0, '', 'eggs') == '2 eggs'",
    ],
    "cooking_order": [
        "assert cooking_order([('rice', 20), ('dip', 5), ('ham', 90)]) == ['ham', 'rice', 'dip']",
        "assert cooking_order([('a', 5), ('b', 5)]) == ['a', 'b']",
    ],
    "grade_distribution": [
        "assert grade_distribution(['B', 'A', 'B', 'C']) == 'A:1 B:2 C:1'",
        "assert grade_distribution([]) == ''",
    ],
    "curve_scores": [
        "assert curve_scores([40, 80]) == [50.0, 100.0]",
        "assert curve_scores([30, 60, 90]) == [33.3, 66.7, 100.0]",
        "assert curve_scores([0, 0]) == [0, 0]",
    ],
    "absent_dates": [
        "assert absent_dates({date(2024, 3, 2): False}) == [date(2024, 3, 2)]",
        "assert absent_dates({date(2024, 3, 1): True}) == []",
        "assert len(absent_dates({date(2024, 3, 2): False, date(2024, 3, 1): False})) == 2",
    ],
    "shift_rota": [
        "assert shift_rota(['al', 'bo'], ['Mon', 'Tue', 'Wed'])['Wed'] == 'al'",
        "assert shift_rota(['al', 'bo'], ['Mon', 'Tue']) == {'Mon': 'al', 'Tue': 'bo'}",
        "assert shift_rota(['ann'], []) == {}",
    ],
    "time_slots": [
        "assert time_slots(9, 11, 30) == ['09:00', '09:30', '10:00', '10:30']",
        "assert time_slots(9, 9, 15) == []",
    ],
    "is_valid_time": [
        "assert is_valid_time('23:59') is True",
        "assert is_valid_time('24:00') is False",
        "assert is_valid_time('7:5') is False",
        "assert is_valid_time('0730') is False",
    ],
    "to_12_hour": [
        "assert to_12_hour('14:05') == '2:05 PM'",
        "assert to_12_hour('00:30') == '12:30 AM'",
        "assert to_12_hour('12:00') == '12:00 PM'",
    ],
    "smooth_readings": [
        "assert smooth_readings([10, 20, 20], 0.5) == [10.0, 15.0, 17.5]",
        "assert smooth_readings([], 0.3) == []",
    ],
    "peak_indices": [
        "assert peak_indices([1, 3, 2, 5, 4]) == [1, 3]",
        "assert peak_indices([1, 2, 3]) == []",
    ],
    "next_invoice_number": [
        "assert next_invoice_number('INV-0041') == 'INV-0042'",
        "assert next_invoice_number('INV-9') == 'INV-10'",
        "assert next_invoice_number('ACME-2024-099') == 'ACME-2024-100'",
    ],
    "cents_to_display": [
        "assert cents_to_display(1234) == '12.34'",
        "assert cents_to_display(-5) == '-0.05'",
        "assert cents_to_display(0) == '0.00'",
    ],
    "expand_port_spec": [
        "assert expand_port_spec('22,80,8000-8002') == [22, 80, 8000, 8001, 8002]",
        "assert expand_port_spec('443') == [443]",
        "assert expand_port_spec('') == []",
    ],
    "is_valid_hostname": [
        "assert is_valid_hostname('api.example.com') is True",
        "assert is_valid_hostname('-bad.example.com') is False",
        "assert is_valid_hostname('a..b') is False",
    ],
    "normalize_mac": [
        "assert normalize_mac('AA-BB-CC-00-11-22') == 'aa:bb:cc:00:11:22'",
        "assert normalize_mac('aabb.cc00.1122') == 'aa:bb:cc:00:11:22'",
    ],
    "ini_sections": [
        "assert ini_sections(['[db]', 'host=x', ' [ cache ] ']) == ['db', 'cache']",
        "assert ini_sections(['key=value']) == []",
    ],
    "nth_weekday_of_month": [
        "assert nth_weekday_of_month(2024, 1, 1, 2) == date(2024, 1, 9)",
        "assert nth_weekday_of_month(2024, 11, 3, 4) == date(2024, 11, 28)",
    ],
    "expiry_status": [
        "assert expiry_status(date(2024, 1, 1), date(2024, 1, 2)) == 'expired'",
        "assert expiry_status(date(2024, 1, 20), date(2024, 1, 2)) == 'expiring soon'",
        "assert expiry_status(date(2024, 6, 1), date(2024, 1, 2)) == 'valid'",
    ],
    "honor_roll": [
        "assert honor_roll({'cy': [90, 95], 'ann': [88, 91], 'bo': [99, 70]}, 85) == ['ann', 'cy']",
        "assert honor_roll({'dan': []}, 50) == []",
    ],
    "parse_bin_code": [
        "assert parse_bin_code('B07-3') == ('B', 7, 3)",
        "assert parse_bin_code(' c12-1 ') == ('C', 12, 1)",
        "assert parse_bin_code('B7-3') is None",
    ],
    "count_code_lines": [
        "assert count_code_lines('x = 1\\n\\n# note\\ny = 2') == 2",
        "assert count_code_lines('') == 0",
    ],
    "strip_ansi_codes": [
        "assert strip_ansi_codes('\\x1b[31mERROR\\x1b[0m done') == 'ERROR done'",
        "assert strip_ansi_codes('plain') == 'plain'",
    ],
    "compass_direction": [
        "assert compass_direction(0) == 'N'",
        "assert compass_direction(90) == 'E'",
        "assert compass_direction(350) == 'N'",
        "assert compass_direction(200) == 'S'",
    ],
    "rainfall_by_month": [
        "assert rainfall_by_month([(date(2024, 2, 1), 4.0)]) == {'2024-02': 4.0}",
        "assert len(rainfall_by_month([(date(2024, 1, 3), 1.0), (date(2024, 3, 9), 1.0)])) == 2",
        "assert rainfall_by_month([]) == {}",
    ],
    "normalize_readings": [
        "assert normalize_readings([10, 15, 20]) == [0.0, 0.5, 1.0]",
        "assert normalize_readings([3, 3]) == [0.0, 0.0]",
    ],
}
