"""Guardrails on chat (`chat.complete(..., guardrails=[...])`), applied offline by the workbook's moderation classifier.

On La Plateforme a guardrail runs `mistral-moderation-2603` on a chat request's input before the model sees it,
and blocks the request with a 403 when a category crosses its threshold (Mistral's "Moderation & Guardrailing"
page: input moderation only; `custom_category_thresholds`, `ignore_other_categories`, `action`,
`block_on_error`). Here the same request is scored by `standin-moderation-minilm` (`moderation_model`), the way
`/v1/chat/moderations` scores a conversation's last turn in context.

What differs, and is said rather than guessed:

* the classifier has nine categories; `moderation_llm_v2` names eleven. `dangerous` and `criminal` are both
  scored by `dangerous_and_criminal_content`; `jailbreaking` has no classifier here, so a request that sets a
  jailbreaking threshold below 1 is refused with a 400 (at 1, La Plateforme's "disabled", it is accepted);
* without a custom threshold a category is judged at the classifier's own threshold;
* a request that passes is answered without La Plateforme's `guardrails` results in the response.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .moderation_model import MODEL_ID, conversation_texts, load_classifier, score_groups

# moderation_llm_v2's categories -> the classifier's category that scores each (None: not scored here)
V2_CATEGORIES: dict[str, str | None] = {
    "sexual": "sexual", "hate_and_discrimination": "hate_and_discrimination",
    "violence_and_threats": "violence_and_threats", "dangerous": "dangerous_and_criminal_content",
    "criminal": "dangerous_and_criminal_content", "selfharm": "selfharm", "health": "health",
    "financial": "financial", "law": "law", "pii": "pii", "jailbreaking": None,
}
MODEL_NAMES = (None, "mistral-moderation-2603", "mistral-moderation-latest", MODEL_ID)
CONFIG_KEYS = {"model_name", "custom_category_thresholds", "ignore_other_categories", "action"}


class GuardrailProblem(ValueError):
    """A guardrail the request cannot have: its message says what to change (a 400)."""


def v1_categories() -> dict[str, str | None]:
    """moderation_llm_v1's categories: the classifier's own nine."""
    return {c: c for c in load_classifier().categories}


def parse(value: Any) -> list[tuple[dict[str, str | None], dict[str, Any]]]:
    """The request's guardrails as (category map, config) pairs; GuardrailProblem for any malformed part."""
    if not isinstance(value, list):
        raise GuardrailProblem("`guardrails` must be a list of guardrail objects.")
    parsed = []
    for i, item in enumerate(value):
        where = f"guardrails[{i}]"
        if not isinstance(item, dict):
            raise GuardrailProblem(f"{where} must be an object with a `moderation_llm_v2` (or `_v1`) config.")
        unknown = set(item) - {"block_on_error", "moderation_llm_v1", "moderation_llm_v2"}
        if unknown:
            raise GuardrailProblem(f"{where} has unknown field(s) {', '.join(sorted(unknown))}.")
        if not isinstance(item.get("block_on_error", False), bool):
            raise GuardrailProblem(f"{where}.block_on_error must be true or false.")
        for version, categories in (("moderation_llm_v2", V2_CATEGORIES), ("moderation_llm_v1", None)):
            config = item.get(version)
            if config is None:
                continue
            parsed.append((categories or v1_categories(), check_config(config, categories or v1_categories(),
                                                                        f"{where}.{version}")))
    return parsed


def check_config(config: Any, categories: dict[str, str | None], where: str) -> dict[str, Any]:
    """One moderation config, checked: known keys and categories, thresholds between 0 and 1, a known action."""
    if not isinstance(config, dict):
        raise GuardrailProblem(f"{where} must be an object.")
    if unknown := set(config) - CONFIG_KEYS:
        raise GuardrailProblem(f"{where} has unknown field(s) {', '.join(sorted(unknown))}.")
    if config.get("model_name") not in MODEL_NAMES:
        raise GuardrailProblem(f"{where}.model_name {config['model_name']!r} is not a moderation model served here; "
                               f"leave it out, or use mistral-moderation-2603 ({MODEL_ID} answers for it).")
    if config.get("action", "none") not in (None, "none", "block"):
        raise GuardrailProblem(f"{where}.action must be 'block' or 'none'.")
    if not isinstance(config.get("ignore_other_categories", False), bool):
        raise GuardrailProblem(f"{where}.ignore_other_categories must be true or false.")
    thresholds = config.get("custom_category_thresholds") or {}
    if not isinstance(thresholds, dict):
        raise GuardrailProblem(f"{where}.custom_category_thresholds must map category names to thresholds.")
    for name, threshold in thresholds.items():
        if name not in categories:
            raise GuardrailProblem(f"{where}: unknown category {name!r}; the categories are {', '.join(categories)}.")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                      or not 0 <= threshold <= 1):
            raise GuardrailProblem(f"{where}: the threshold of {name} must be a number from 0 to 1.")
        if categories[name] is None and threshold is not None and threshold < 1:
            raise GuardrailProblem(f"{where}: {name} has no classifier on this endpoint ({MODEL_ID} scores nine "
                                   f"categories); set its threshold to 1 (disabled) or run on La Plateforme.")
    return config


def violations(messages: Sequence[dict[str, Any]], guardrails: Any,
               embed: Callable[[list[str]], Any]) -> list[str]:
    """What blocks this request: one line per category over its threshold in a guardrail whose action is
    `block` (empty: the request may go on). GuardrailProblem for a malformed `guardrails`."""
    parsed = parse(guardrails)
    if not parsed or not messages:
        return []
    classifier = load_classifier()
    defaults = dict(zip(classifier.categories, (float(t) for t in classifier.thresholds)))
    scores = score_groups([conversation_texts(messages)], embed, classifier)[0]
    found = []
    for categories, config in parsed:
        custom = {k: v for k, v in (config.get("custom_category_thresholds") or {}).items() if v is not None}
        judged = custom if config.get("ignore_other_categories") else {**{c: None for c in categories}, **custom}
        for name in judged:
            scored_by = categories[name]
            if scored_by is None:
                continue
            threshold = custom.get(name, defaults[scored_by])
            if scores[scored_by] >= threshold and config.get("action") == "block":
                found.append(f"{name} scored {scores[scored_by]:.2f}, at or over its threshold {threshold:g}")
    return found
