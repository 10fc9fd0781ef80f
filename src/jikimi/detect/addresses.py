"""KR_ADDRESS recognizer (placeholder until implemented)."""

from __future__ import annotations

from jikimi.detect.finding import Finding
from jikimi.detect.registry import Recognizer


def find_addresses(text: str) -> list[Finding]:
    return []


RECOGNIZER = Recognizer("kr_address", frozenset({"KR_ADDRESS"}), find_addresses)
