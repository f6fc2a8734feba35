"""Held-out Python functions for measuring the workbook's fill-in-the-middle stand-in (CC0-1.0).

Written apart from train_functions.py; tests/test_fim.py proves they share no function, task or
long span with it.
"""

import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta


def basket_total(prices: dict[str, float], quantities: dict[str, int]) -> float:
    """Return the cost of a basket, counting items without a price as free."""
    total = 0.0
    for item, qty in quantities.items():
        total += prices.get(item, 0.0) * qty
    return round(total, 2)


def best_value_pack(packs: list[tuple[str, float, int]]) -> str:
    """Return the name of the (name, price, units) pack with the lowest price per unit."""
    best = min(packs, key=lambda pack: pack[1] / pack[2])
    return best[0]


def free_delivery_gap(spent: float, threshold: float = 40.0) -> float:
    gap = threshold - spent
    return round(gap, 2) if gap > 0 else 0.0


def apply_discount_code(total: float, code: str) -> float:
    """SAVE10 takes 10% off, FIVEOFF takes 5.00 off (never below 0), other codes nothing."""
    if code == "SAVE10":
        return round(total * 0.9, 2)
    elif code == "FIVEOFF":
        return max(total - 5.0, 0.0)
    return total


def split_restaurant_bill(total: float, people: int, tip_percent: int = 10) -> float:
    """Each person's share of the bill plus tip, rounded to cents."""
    with_tip = total * (1 + tip_percent / 100)
    return round(with_tip / people, 2)


def parking_fee(minutes: int) -> int:
    """First 30 minutes free, then 2 per started hour, at most 20 in total."""
    if minutes <= 30:
        return 0
    hours = (minutes + 59) // 60
    return min(hours * 2, 20)


def parking_ticket_expiry(start: datetime, paid: float, hourly_rate: float) -> datetime:
    minutes = int(paid / hourly_rate * 60)
    return start + timedelta(minutes=minutes)


def loan_is_overdue(borrowed: date, today: date, loan_days: int = 21) -> bool:
    due = borrowed + timedelta(days=loan_days)
    return today > due


def library_fine(due: date, returned: date, daily_rate: float = 0.25) -> float:
    """Fine for a late return, capped at 10.0; nothing if returned on or before due."""
    days_late = (returned - due).days
    if days_late <= 0:
        return 0.0
    return min(days_late * daily_rate, 10.0)


def hex_to_rgb(colour: str) -> tuple[int, ...]:
    digits = colour.lstrip("#")
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def rgb_to_hex(red: int, green: int, blue: int) -> str:
    """Format 0-255 channel values as a '#rrggbb' colour."""
    return f"#{red:02x}{green:02x}{blue:02x}"


def is_dark_colour(colour: str) -> bool:
    """True if '#rrggbb' has brightness 0.299 R + 0.587 G + 0.114 B below 128."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    brightness = 0.299 * red + 0.587 * green + 0.114 * blue
    return brightness < 128


def file_extension(filename: str) -> str:
    """Return the lower-case extension without the dot, or '' if there is none."""
    if "." not in filename:
        return ""
    return filename.rsplit(".", 1)[1].lower()


def change_extension(filename: str, new_extension: str) -> str:
    """Swap the extension, e.g. ('notes.txt', 'md') -> 'notes.md'; add one if missing."""
    stem = filename.rsplit(".", 1)[0]
    return f"{stem}.{new_extension}"


def is_image_file(filename: str) -> bool:
    """True for .png, .jpg, .jpeg and .gif files, whatever the case."""
    return filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))


def group_files_by_extension(filenames: list[str]) -> dict[str, list[str]]:
    """Map each lower-case extension to its filenames, in input order."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in filenames:
        groups[name.rsplit(".", 1)[-1].lower()].append(name)
    return dict(groups)


def human_file_size(num_bytes: int) -> str:
    if num_bytes < 1024:
        return f"{num_bytes} B"
    if num_bytes < 1024 ** 2:
        return f"{num_bytes / 1024:.1f} KB"
    return f"{num_bytes / 1024 ** 2:.1f} MB"


def normalise_postcode(postcode: str) -> str:
    """Upper-case a UK postcode and put one space before the last three characters."""
    compact = postcode.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


def letter_grade(score: int) -> str:
    """Return A (90+), B (75+), C (60+) or F."""
    if score >= 90:
        return "A"
    elif score >= 75:
        return "B"
    elif score >= 60:
        return "C"
    return "F"


def weighted_grade(scores: dict[str, float], weights: dict[str, float]) -> float:
    total_weight = sum(weights.values())
    weighted = sum(scores[name] * weight for name, weight in weights.items())
    return round(weighted / total_weight, 1)


def class_ranking(scores: dict[str, int]) -> list[str]:
    """Names by score, highest first; equal scores in alphabetical order."""
    return sorted(scores, key=lambda name: (-scores[name], name))


def average_without_lowest(scores: list[int]) -> float:
    kept = sorted(scores)[1:]
    return round(sum(kept) / len(kept), 2)


def scale_recipe(grams: dict[str, float], serves: int, wanted: int) -> dict[str, float]:
    factor = wanted / serves
    return {name: round(amount * factor, 1) for name, amount in grams.items()}


def merge_shopping_lists(lists: list[dict[str, int]]) -> dict[str, int]:
    combined: Counter[str] = Counter()
    for shopping in lists:
        combined.update(shopping)
    return dict(combined)


def recipe_time_label(step_minutes: list[int]) -> str:
    """Total the step times and format as '45 min' or '1 h 20 min'."""
    total = sum(step_minutes)
    hours, minutes = divmod(total, 60)
    if hours == 0:
        return f"{minutes} min"
    return f"{hours} h {minutes} min"


def journey_minutes(departs: str, arrives: str) -> int:
    """Minutes between two 'HH:MM' times, allowing the train to run past midnight."""
    dep_hour, dep_min = map(int, departs.split(":"))
    arr_hour, arr_min = map(int, arrives.split(":"))
    return (arr_hour * 60 + arr_min - dep_hour * 60 - dep_min) % (24 * 60)


def next_departure(timetable: list[str], now: str) -> str | None:
    """Earliest 'HH:MM' departure at or after now, or None if there is none."""
    later = [time for time in timetable if time >= now]
    return min(later) if later else None


def train_is_late(scheduled: str, actual: str, grace_minutes: int = 5) -> bool:
    """True if the 'HH:MM' actual arrival is more than grace_minutes after schedule."""
    delay = datetime.strptime(actual, "%H:%M") - datetime.strptime(scheduled, "%H:%M")
    return delay.total_seconds() / 60 > grace_minutes


def stops_between(route: list[str], origin: str, destination: str) -> list[str]:
    start = route.index(origin)
    end = route.index(destination)
    return route[start + 1:end]


def heating_needed(readings: list[float], target: float) -> bool:
    if not readings:
        return False
    mean = sum(readings) / len(readings)
    return mean < target


def readings_out_of_range(readings: list[float], low: float, high: float) -> list[int]:
    """Return the positions of readings below low or above high."""
    return [i for i, value in enumerate(readings) if value < low or value > high]


def thermostat_display(celsius: float, unit: str) -> str:
    """Show a reading as e.g. '21.5C', or converted as '70.7F' when unit is 'F'."""
    if unit == "F":
        return f"{celsius * 9 / 5 + 32:.1f}F"
    return f"{celsius:.1f}C"


def setpoint_for_hour(hour: int, day_temp: float = 20.0, night_temp: float = 16.0) -> float:
    """Use day_temp from 07:00 until 22:00, otherwise night_temp."""
    if 7 <= hour < 22:
        return day_temp
    return night_temp


def reading_changes(readings: list[float]) -> list[float]:
    """Differences between consecutive readings, rounded to 0.1."""
    return [round(after - before, 1) for before, after in zip(readings, readings[1:])]


def status_code_counts(log_lines: list[str]) -> dict[str, int]:
    """Count HTTP status codes; each log line ends with its code."""
    counts: dict[str, int] = {}
    for line in log_lines:
        code = line.split()[-1]
        counts[code] = counts.get(code, 0) + 1
    return counts


def log_messages_at_level(log_lines: list[str], level: str) -> list[str]:
    prefix = f"[{level}] "
    return [line[len(prefix):] for line in log_lines if line.startswith(prefix)]


def parse_log_line(line: str) -> dict[str, str]:
    """Split 'DATE TIME LEVEL message' into keys date, time, level and message."""
    day, time, level, message = line.split(" ", 3)
    return {"date": day, "time": time, "level": level, "message": message}


def requests_per_hour(times: list[str]) -> dict[int, int]:
    """Count 'HH:MM:SS' request times per hour of the day."""
    counts: defaultdict[int, int] = defaultdict(int)
    for stamp in times:
        counts[int(stamp[:2])] += 1
    return dict(counts)


def is_private_ipv4(address: str) -> bool:
    """True for 10.x.x.x, 192.168.x.x and 172.16.x.x to 172.31.x.x addresses."""
    first, second = (int(part) for part in address.split(".")[:2])
    if first == 10:
        return True
    if first == 192 and second == 168:
        return True
    return first == 172 and 16 <= second <= 31


def make_username(first: str, last: str) -> str:
    """First initial plus surname, lower-case, spaces removed, at most 8 characters."""
    name = (first[0] + last).lower().replace(" ", "")
    return name[:8]


def is_valid_username(name: str) -> bool:
    """3 to 16 characters: a letter, then letters, digits or underscores."""
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{2,15}", name) is not None


def display_name(first: str, last: str, nickname: str | None = None) -> str:
    if nickname:
        return f"{nickname} {last}"
    return f"{first} {last}"


def initials(full_name: str) -> str:
    """Upper-case first letter of each word in a name."""
    return "".join(part[0].upper() for part in full_name.split())


def transfer_funds(balances: dict[str, int], sender: str, receiver: str, amount: int) -> bool:
    """Move a positive amount between accounts if the sender can cover it."""
    if amount <= 0 or balances.get(sender, 0) < amount:
        return False
    balances[sender] -= amount
    balances[receiver] = balances.get(receiver, 0) + amount
    return True


def lowest_balance(opening: int, transactions: list[int]) -> int:
    balance = opening
    lowest = opening
    for amount in transactions:
        balance += amount
        lowest = min(lowest, balance)
    return lowest


def mask_account_number(number: str) -> str:
    """Replace all but the last four digits with '*', dropping spaces."""
    digits = number.replace(" ", "")
    return "*" * (len(digits) - 4) + digits[-4:]


def playlist_length(track_lengths: list[str]) -> str:
    seconds = 0
    for length in track_lengths:
        minutes, secs = length.split(":")
        seconds += int(minutes) * 60 + int(secs)
    return f"{seconds // 60}:{seconds % 60:02d}"


def next_track(playlist: list[str], current: str, repeat: bool) -> str | None:
    position = playlist.index(current) + 1
    if position < len(playlist):
        return playlist[position]
    return playlist[0] if repeat else None


def bike_rental_cost(minutes: int, is_member: bool) -> float:
    """Unlock fee 1.00 plus 0.15 a minute; members ride their first 30 minutes free."""
    billable = max(minutes - 30, 0) if is_member else minutes
    return round(1.0 + billable * 0.15, 2)


def busiest_start_station(rides: list[tuple[str, str]]) -> str:
    starts = Counter(start for start, _ in rides)
    return starts.most_common(1)[0][0]


def describe_weather(temp_c: float, rain_mm: float) -> str:
    """'wet' if over 5 mm of rain, else 'hot' (25+), 'cold' (5 or less) or 'mild'."""
    if rain_mm > 5:
        return "wet"
    if temp_c >= 25:
        return "hot"
    if temp_c <= 5:
        return "cold"
    return "mild"


def longest_dry_spell(rain_mm: list[float]) -> int:
    longest = current = 0
    for amount in rain_mm:
        current = current + 1 if amount == 0 else 0
        longest = max(longest, current)
    return longest


def packets_needed(payload: int, mtu: int = 1500, header: int = 40) -> int:
    per_packet = mtu - header
    return math.ceil(payload / per_packet)


def fragment_sizes(payload: int, max_size: int) -> list[int]:
    full, rest = divmod(payload, max_size)
    sizes = [max_size] * full
    if rest:
        sizes.append(rest)
    return sizes


def age_on(birth: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


def count_weekend_days(start: date, end: date) -> int:
    """Count Saturdays and Sundays from start to end inclusive."""
    total = 0
    for offset in range((end - start).days + 1):
        if (start + timedelta(days=offset)).weekday() >= 5:
            total += 1
    return total


def quarter_label(day: date) -> str:
    """Return the quarter as e.g. '2024-Q3'."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def is_leap_year(year: int) -> bool:
    if year % 400 == 0:
        return True
    if year % 100 == 0:
        return False
    return year % 4 == 0


def clamp(value: float, low: float, high: float) -> float:
    if value < low:
        return low
    if value > high:
        return high
    return value


def remove_duplicates(items: list) -> list:
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


TESTS: dict[str, list[str]] = {
    "basket_total": [
        "assert basket_total({'tea': 2.5, 'milk': 1.2}, {'tea': 2, 'milk': 1}) == 6.2",
        "assert basket_total({'tea': 2.5}, {'tea': 1, 'cake': 3}) == 2.5",
        "assert basket_total({'tea': 2.5}, {}) == 0.0",
    ],
    "best_value_pack": [
        "assert best_value_pack([('single', 1.0, 1), ('six', 4.8, 6)]) == 'six'",
        "assert best_value_pack([('small', 2.0, 4), ('big', 9.0, 12)]) == 'small'",
        "assert best_value_pack([('only', 3.0, 2)]) == 'only'",
    ],
    "free_delivery_gap": [
        "assert free_delivery_gap(32.5) == 7.5",
        "assert free_delivery_gap(55.0) == 0.0",
        "assert free_delivery_gap(19.5, 20.0) == 0.5",
    ],
    "apply_discount_code": [
        "assert apply_discount_code(50.0, 'SAVE10') == 45.0",
        "assert [apply_discount_code(20.0, c) for c in ('FIVEOFF', 'save10')] == [15.0, 20.0]",
        "assert apply_discount_code(3.0, 'FIVEOFF') == 0.0",
    ],
    "split_restaurant_bill": [
        "assert split_restaurant_bill(100.0, 4) == 27.5",
        "assert split_restaurant_bill(60.0, 3, 0) == 20.0",
        "assert split_restaurant_bill(10.0, 3, 20) == 4.0",
    ],
    "parking_fee": [
        "assert parking_fee(30) == 0",
        "assert parking_fee(61) == 4",
        "assert parking_fee(600) == 20",
    ],
    "parking_ticket_expiry": [
        "assert parking_ticket_expiry(datetime(2024, 5, 1, 9), 3.0, 2.0) == "
        "datetime(2024, 5, 1, 10, 30)",
        "assert parking_ticket_expiry(datetime(2024, 5, 1, 9), 0, 2.0) == datetime(2024, 5, 1, 9)",
        "assert parking_ticket_expiry(datetime(2024, 5, 1, 23), 4, 2.0) == datetime(2024, 5, 2, 1)",
    ],
    "loan_is_overdue": [
        "assert loan_is_overdue(date(2024, 1, 1), date(2024, 1, 22)) is False",
        "assert loan_is_overdue(date(2024, 1, 1), date(2024, 1, 23)) is True",
        "assert loan_is_overdue(date(2024, 2, 25), date(2024, 3, 4), 7) is True",
    ],
    "library_fine": [
        "assert library_fine(date(2024, 3, 1), date(2024, 3, 5)) == 1.0",
        "assert library_fine(date(2024, 3, 1), date(2024, 2, 28)) == 0.0",
        "assert library_fine(date(2024, 1, 1), date(2024, 3, 1)) == 10.0",
    ],
    "hex_to_rgb": [
        "assert hex_to_rgb('#ff8000') == (255, 128, 0)",
        "assert hex_to_rgb('#000000') == (0, 0, 0)",
        "assert hex_to_rgb('1a2B3c') == (26, 43, 60)",
    ],
    "rgb_to_hex": [
        "assert rgb_to_hex(255, 128, 0) == '#ff8000'",
        "assert rgb_to_hex(0, 0, 0) == '#000000'",
        "assert rgb_to_hex(1, 2, 171) == '#0102ab'",
    ],
    "is_dark_colour": [
        "assert is_dark_colour('#000000') is True",
        "assert is_dark_colour('#ffffff') is False",
        "assert [is_dark_colour(c) for c in ('#0000ff', '#00ff00')] == [True, False]",
    ],
    "file_extension": [
        "assert file_extension('holiday.photo.JPG') == 'jpg'",
        "assert file_extension('README') == ''",
        "assert file_extension('.bashrc') == 'bashrc'",
    ],
    "change_extension": [
        "assert change_extension('notes.txt', 'md') == 'notes.md'",
        "assert change_extension('archive.tar.gz', 'zip') == 'archive.tar.zip'",
        "assert change_extension('Makefile', 'bak') == 'Makefile.bak'",
    ],
    "is_image_file": [
        "assert is_image_file('cat.JPEG') is True",
        "assert is_image_file('report.pdf') is False",
        "assert is_image_file('png') is False",
    ],
    "group_files_by_extension": [
        "assert group_files_by_extension(['a.py', 'b.TXT', 'c.py']) == "
        "{'py': ['a.py', 'c.py'], 'txt': ['b.TXT']}",
        "assert group_files_by_extension([]) == {}",
        "assert group_files_by_extension(['x.tar.gz']) == {'gz': ['x.tar.gz']}",
    ],
    "human_file_size": [
        "assert human_file_size(512) == '512 B'",
        "assert human_file_size(1536) == '1.5 KB'",
        "assert [human_file_size(n) for n in (1023, 2 * 1024 ** 2)] == ['1023 B', '2.0 MB']",
    ],
    "normalise_postcode": [
        "assert normalise_postcode('sw1a1aa') == 'SW1A 1AA'",
        "assert normalise_postcode(' ec1a  1bb ') == 'EC1A 1BB'",
        "assert normalise_postcode('m11ae') == 'M1 1AE'",
    ],
    "letter_grade": [
        "assert letter_grade(90) == 'A'",
        "assert [letter_grade(s) for s in (89, 75, 74, 60)] == ['B', 'B', 'C', 'C']",
        "assert letter_grade(59) == 'F'",
    ],
    "weighted_grade": [
        "assert weighted_grade({'exam': 80, 'essay': 60}, {'exam': 0.75, 'essay': 0.25}) == 75.0",
        "assert weighted_grade({'exam': 70, 'lab': 90}, {'exam': 1, 'lab': 1}) == 80.0",
        "assert weighted_grade({'exam': 55}, {'exam': 2}) == 55.0",
    ],
    "class_ranking": [
        "assert class_ranking({'zoe': 70, 'adam': 90, 'mia': 80}) == ['adam', 'mia', 'zoe']",
        "assert class_ranking({'bo': 60, 'al': 60}) == ['al', 'bo']",
        "assert class_ranking({}) == []",
    ],
    "average_without_lowest": [
        "assert average_without_lowest([70, 80, 90]) == 85.0",
        "assert average_without_lowest([50, 100]) == 100.0",
        "assert average_without_lowest([60, 60, 90]) == 75.0",
    ],
    "scale_recipe": [
        "assert scale_recipe({'flour': 200, 'sugar': 50}, 4, 6) == {'flour': 300.0, 'sugar': 75.0}",
        "assert scale_recipe({'butter': 100}, 3, 1) == {'butter': 33.3}",
        "assert scale_recipe({}, 2, 8) == {}",
    ],
    "merge_shopping_lists": [
        "assert merge_shopping_lists([{'egg': 6}, {'egg': 2, 'milk': 1}]) == {'egg': 8, 'milk': 1}",
        "assert merge_shopping_lists([]) == {}",
        "assert merge_shopping_lists([{'rice': 1}]) == {'rice': 1}",
    ],
    "recipe_time_label": [
        "assert recipe_time_label([15, 30]) == '45 min'",
        "assert recipe_time_label([50, 30]) == '1 h 20 min'",
        "assert recipe_time_label([120, 5]) == '2 h 5 min'",
    ],
    "journey_minutes": [
        "assert journey_minutes('08:15', '09:05') == 50",
        "assert journey_minutes('23:40', '00:20') == 40",
        "assert journey_minutes('12:00', '12:00') == 0",
    ],
    "next_departure": [
        "assert next_departure(['09:30', '07:15', '12:00'], '08:00') == '09:30'",
        "assert next_departure(['09:30', '07:15', '12:00'], '12:00') == '12:00'",
        "assert next_departure(['09:30', '07:15'], '23:00') is None",
    ],
    "train_is_late": [
        "assert train_is_late('10:00', '10:06') is True",
        "assert train_is_late('10:00', '10:05') is False",
        "assert train_is_late('10:58', '11:01', 2) is True",
    ],
    "stops_between": [
        "assert stops_between(['York', 'Leeds', 'Wakefield', 'Sheffield'], 'York', 'Sheffield') "
        "== ['Leeds', 'Wakefield']",
        "assert stops_between(['York', 'Leeds', 'Wakefield'], 'Leeds', 'Wakefield') == []",
        "assert stops_between(['A', 'B', 'C', 'D'], 'B', 'D') == ['C']",
    ],
    "heating_needed": [
        "assert heating_needed([18.0, 19.0], 20.0) is True",
        "assert heating_needed([21.5, 20.5], 21.0) is False",
        "assert heating_needed([], 20.0) is False",
    ],
    "readings_out_of_range": [
        "assert readings_out_of_range([19.5, 25.1, 18.0, 16.9], 17.0, 25.0) == [1, 3]",
        "assert readings_out_of_range([17.0, 25.0], 17.0, 25.0) == []",
        "assert readings_out_of_range([], 0.0, 1.0) == []",
    ],
    "thermostat_display": [
        "assert thermostat_display(21.5, 'C') == '21.5C'",
        "assert thermostat_display(21.5, 'F') == '70.7F'",
        "assert thermostat_display(-3, 'F') == '26.6F'",
    ],
    "setpoint_for_hour": [
        "assert setpoint_for_hour(7) == 20.0",
        "assert [setpoint_for_hour(h) for h in (6, 22)] == [16.0, 16.0]",
        "assert setpoint_for_hour(12, 21.0, 15.0) == 21.0",
    ],
    "reading_changes": [
        "assert reading_changes([20.0, 20.5, 19.8]) == [0.5, -0.7]",
        "assert reading_changes([21.0]) == []",
        "assert reading_changes([18.1, 18.1]) == [0.0]",
    ],
    "status_code_counts": [
        "assert status_code_counts(['GET / 200', 'GET /x 404', 'POST /y 200']) == "
        "{'200': 2, '404': 1}",
        "assert status_code_counts([]) == {}",
        "assert status_code_counts(['GET /a b 500']) == {'500': 1}",
    ],
    "log_messages_at_level": [
        "assert log_messages_at_level(['[ERROR] no disk', '[INFO] up'], 'ERROR') == ['no disk']",
        "assert log_messages_at_level(['[INFO] up', '[INFO] down'], 'INFO') == ['up', 'down']",
        "assert log_messages_at_level(['[WARN] hot'], 'ERROR') == []",
    ],
    "parse_log_line": [
        "assert parse_log_line('2024-05-01 12:00:03 ERROR disk full') == {'date': '2024-05-01', "
        "'time': '12:00:03', 'level': 'ERROR', 'message': 'disk full'}",
        "assert parse_log_line('2024-01-02 00:00:00 INFO up')['message'] == 'up'",
        "assert parse_log_line('2023-12-31 23:59:59 WARN x y z')['level'] == 'WARN'",
    ],
    "requests_per_hour": [
        "assert requests_per_hour(['09:01:00', '09:59:59', '10:00:00']) == {9: 2, 10: 1}",
        "assert requests_per_hour([]) == {}",
        "assert requests_per_hour(['00:00:01']) == {0: 1}",
    ],
    "is_private_ipv4": [
        "assert is_private_ipv4('10.1.2.3') is True",
        "assert [is_private_ipv4(a) for a in ('192.168.0.1', '192.169.0.1')] == [True, False]",
        "assert [is_private_ipv4(a) for a in ('172.16.0.1', '172.32.0.1', '8.8.8.8')] == "
        "[True, False, False]",
    ],
    "make_username": [
        "assert make_username('Ada', 'Lovelace') == 'alovelac'",
        "assert make_username('Jo', 'Li') == 'jli'",
        "assert make_username('Mary', 'van Dyke') == 'mvandyke'",
    ],
    "is_valid_username": [
        "assert is_valid_username('ada_99') is True",
        "assert is_valid_username('9lives') is False",
        "assert [is_valid_username(n) for n in ('ab', 'a' * 16, 'a' * 17)] == [False, True, False]",
    ],
    "display_name": [
        "assert display_name('Robert', 'Smith', 'Bob') == 'Bob Smith'",
        "assert display_name('Robert', 'Smith') == 'Robert Smith'",
        "assert display_name('Li', 'Wu', 'Lulu') == 'Lulu Wu'",
    ],
    "initials": [
        "assert initials('Ada Lovelace') == 'AL'",
        "assert initials('  grace   brewster hopper ') == 'GBH'",
        "assert initials('') == ''",
    ],
    "transfer_funds": [
        "assert transfer_funds(acc := {'ann': 500}, 'ann', 'bob', 200) and "
        "acc == {'ann': 300, 'bob': 200}",
        "assert transfer_funds(acc := {'ann': 100}, 'ann', 'bob', 101) is False and "
        "acc == {'ann': 100}",
        "assert transfer_funds({'ann': 100}, 'ann', 'bob', 0) is False",
    ],
    "lowest_balance": [
        "assert lowest_balance(100, [-30, 50, -110]) == 10",
        "assert lowest_balance(100, []) == 100",
        "assert lowest_balance(0, [-5, -5, 20]) == -10",
    ],
    "mask_account_number": [
        "assert mask_account_number('1234 5678 9012') == '********9012'",
        "assert mask_account_number('4321') == '4321'",
        "assert mask_account_number('12345') == '*2345'",
    ],
    "playlist_length": [
        "assert playlist_length(['3:30', '4:45']) == '8:15'",
        "assert playlist_length([]) == '0:00'",
        "assert playlist_length(['0:59', '0:01']) == '1:00'",
    ],
    "next_track": [
        "assert next_track(['a', 'b', 'c'], 'a', False) == 'b'",
        "assert next_track(['a', 'b', 'c'], 'c', True) == 'a'",
        "assert next_track(['a', 'b', 'c'], 'c', False) is None",
    ],
    "bike_rental_cost": [
        "assert bike_rental_cost(10, False) == 2.5",
        "assert bike_rental_cost(40, True) == 2.5",
        "assert bike_rental_cost(20, True) == 1.0",
    ],
    "busiest_start_station": [
        "assert busiest_start_station([('Quay', 'Park'), ('Park', 'Quay'), ('Quay', 'Mill')]) "
        "== 'Quay'",
        "assert busiest_start_station([('Mill', 'Quay')]) == 'Mill'",
        "assert busiest_start_station([('A', 'B'), ('B', 'A'), ('B', 'C')]) == 'B'",
    ],
    "describe_weather": [
        "assert [describe_weather(t, 0) for t in (25, 5, 12)] == ['hot', 'cold', 'mild']",
        "assert describe_weather(30, 6) == 'wet'",
        "assert describe_weather(4, 5) == 'cold'",
    ],
    "longest_dry_spell": [
        "assert longest_dry_spell([0, 0, 1.2, 0, 0, 0, 3]) == 3",
        "assert longest_dry_spell([]) == 0",
        "assert longest_dry_spell([2.0, 0.5]) == 0",
    ],
    "packets_needed": [
        "assert packets_needed(1460) == 1",
        "assert packets_needed(1461) == 2",
        "assert packets_needed(0) == 0",
    ],
    "fragment_sizes": [
        "assert fragment_sizes(3000, 1400) == [1400, 1400, 200]",
        "assert fragment_sizes(2800, 1400) == [1400, 1400]",
        "assert fragment_sizes(0, 1400) == []",
    ],
    "age_on": [
        "assert age_on(date(2000, 5, 20), date(2024, 5, 20)) == 24",
        "assert age_on(date(2000, 5, 20), date(2024, 5, 19)) == 23",
        "assert age_on(date(2024, 1, 1), date(2024, 12, 31)) == 0",
    ],
    "count_weekend_days": [
        "assert count_weekend_days(date(2024, 6, 1), date(2024, 6, 7)) == 2",
        "assert count_weekend_days(date(2024, 6, 3), date(2024, 6, 7)) == 0",
        "assert count_weekend_days(date(2024, 6, 1), date(2024, 6, 1)) == 1",
    ],
    "quarter_label": [
        "assert quarter_label(date(2024, 8, 15)) == '2024-Q3'",
        "assert quarter_label(date(2023, 1, 1)) == '2023-Q1'",
        "assert quarter_label(date(2025, 12, 31)) == '2025-Q4'",
    ],
    "is_leap_year": [
        "assert is_leap_year(2000) is True",
        "assert is_leap_year(1900) is False",
        "assert is_leap_year(2024) is True",
    ],
    "clamp": [
        "assert clamp(5, 0, 10) == 5",
        "assert clamp(-3, 0, 10) == 0",
        "assert clamp(42, 0, 10) == 10",
    ],
    "remove_duplicates": [
        "assert remove_duplicates([3, 1, 3, 2, 1]) == [3, 1, 2]",
        "assert remove_duplicates([]) == []",
        "assert remove_duplicates(['a', 'a']) == ['a']",
    ],
}
