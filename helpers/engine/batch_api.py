"""Placeholder: replaced by the module that serves this API."""

from __future__ import annotations

from typing import Any


def build_router(context: Any) -> Any:
    from fastapi import APIRouter

    return APIRouter()
