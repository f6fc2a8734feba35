"""How RapidOCR's text boxes become a page of markdown: spaces put back, lines, paragraphs, headings, blocks.

`helpers.engine.ocr_api` says why each step is needed; nothing here calls the engine.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

HEADING_RATIO = (1.4, 1.2)  # line height over the page's body line height for `#` and `##`


@dataclass
class Box:
    """One text box RapidOCR found: its axis-aligned extent in pixels, its text, its confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Line:
    boxes: list[Box] = field(default_factory=list)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def height(self) -> float:
        return statistics.median(b.height for b in self.boxes)

    @property
    def text(self) -> str:
        return " ".join(b.text for b in sorted(self.boxes, key=lambda b: b.x0))


def ink_gaps(gray: Any, box: Box) -> list[tuple[float, float]]:
    """Runs of blank columns inside `box` of the page `gray` (a 2-D uint8 array), wider than a letter gap."""
    import numpy as np

    h, w = gray.shape
    x0, x1 = max(int(box.x0), 0), min(int(round(box.x1)), w)
    y0, y1 = max(int(box.y0), 0), min(int(round(box.y1)), h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    crop = gray[y0:y1, x0:x1].astype(np.int16)
    background = int(np.median(crop))
    dark_text = background > 127
    contrast = (background - crop) if dark_text else (crop - background)
    ink = (contrast > 60).any(axis=0)
    if not ink.any():
        return []
    threshold = max(2.0, 0.22 * (y1 - y0))  # a word space is about a third of the font size, a box about 1.2 of it
    gaps: list[tuple[float, float]] = []
    start: int | None = None
    for x, has_ink in enumerate(ink):
        if not has_ink and start is None:
            start = x
        elif has_ink and start is not None:
            if start > 0 and x - start >= threshold:
                gaps.append((x0 + start, x0 + x))
            start = None
    return gaps


NO_SPACE_BEFORE = set(".,;:!?%)]}'\"")
NO_SPACE_AFTER = set("([{")


def space_fits(before: str, after: str, next_after: str) -> bool:
    """Whether a space may stand between `before` and `after` (`next_after` follows `after`): never before
    closing punctuation, after an opening bracket, or inside a number such as 2.40 or 4,812."""
    if " " in (before, after) or after in NO_SPACE_BEFORE or before in NO_SPACE_AFTER:
        return False
    return not (before in ".," and after.isdigit() and not next_after.isalpha())


def respace(text: str, char_boxes: list[Any], gaps: list[tuple[float, float]]) -> str:
    """`text` with a space put back wherever a wide gap in the ink falls between two characters."""
    if not gaps or len(char_boxes) != len(text):
        return text
    centres = [(min(p[0] for p in b) + max(p[0] for p in b)) / 2 for b in char_boxes]
    out = [text[0]]
    for i in range(1, len(text)):
        between = any(centres[i - 1] < (g0 + g1) / 2 < centres[i] for g0, g1 in gaps)
        if between and space_fits(text[i - 1], text[i], text[i + 1: i + 2]):
            out.append(" ")
        out.append(text[i])
    return "".join(out)


def group_lines(boxes: list[Box]) -> list[Line]:
    """Boxes grouped into lines (a box joins a line it overlaps vertically by half its height), top to bottom."""
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        for line in reversed(lines[-3:]):
            overlap = min(line.y1, box.y1) - max(line.y0, box.y0)
            if overlap >= 0.5 * min(box.height, line.height):
                line.boxes.append(box)
                break
        else:
            lines.append(Line([box]))
    return sorted(lines, key=lambda ln: ln.y0)


def centre(line: Line) -> float:
    return (line.y0 + line.y1) / 2


def group_paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into paragraphs: a new one where the distance from the line above is well over the
    page's usual line pitch, where a blank of most of a line separates them, or where the text size changes."""
    pitches = sorted(centre(b) - centre(a) for a, b in zip(lines, lines[1:]))
    usual = pitches[len(pitches) // 4] if pitches else 0.0  # the lower quartile: lines within a paragraph
    paragraphs: list[list[Line]] = []
    for line in lines:
        if paragraphs:
            last = paragraphs[-1][-1]
            pitch = centre(line) - centre(last)
            size = max(line.height, last.height) / max(min(line.height, last.height), 1.0)
            gap = line.y0 - last.y1
            if pitch <= max(1.3 * usual, 1.2 * max(line.height, last.height)) and gap < 0.9 * last.height \
                    and size < 1.35:
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return paragraphs


def page_layout(boxes: list[Box], granularity: str | None) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(markdown, blocks, word scores) of one page's boxes."""
    lines = group_lines(boxes)
    if not lines:
        return "", [], []
    body = statistics.median(line.height for line in lines)
    parts: list[str] = []
    blocks: list[dict[str, Any]] = []
    words: list[dict[str, Any]] = []
    markdown = ""
    for paragraph in group_paragraphs(lines):
        ratio = statistics.median(line.height for line in paragraph) / max(body, 1.0)
        marker = "# " if ratio >= HEADING_RATIO[0] else "## " if ratio >= HEADING_RATIO[1] else ""
        content = "\n".join(line.text for line in paragraph)
        part = marker + content
        start = len(markdown) + (2 if parts else 0) + len(marker)
        markdown = (markdown + "\n\n" if parts else "") + part
        parts.append(part)
        members = [b for line in paragraph for b in line.boxes]
        block: dict[str, Any] = {
            "type": "title" if marker else "text",
            "top_left_x": int(min(b.x0 for b in members)), "top_left_y": int(min(b.y0 for b in members)),
            "bottom_right_x": int(round(max(b.x1 for b in members))),
            "bottom_right_y": int(round(max(b.y1 for b in members))),
            "content": content,
        }
        if granularity == "block":
            scores = [b.score for b in members]
            block["confidence_scores"] = {"average_content_confidence_score": sum(scores) / len(scores),
                                          "minimum_content_confidence_score": min(scores)}
        blocks.append(block)
        if granularity == "word":
            offset = start
            for line in paragraph:
                for b in sorted(line.boxes, key=lambda b: b.x0):
                    for match in re.finditer(r"\S+", b.text):
                        at = markdown.find(match[0], offset)
                        if at >= 0:
                            words.append({"text": match[0], "confidence": b.score, "start_index": at})
                            offset = at + len(match[0])
    return markdown, blocks, words

