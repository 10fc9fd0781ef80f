"""PERSON recognizer (placeholder until implemented)."""

from __future__ import annotations

from jikimi.detect.finding import Finding
from jikimi.detect.registry import Recognizer


def find_persons(text: str) -> list[Finding]:
    return []


RECOGNIZER = Recognizer("kr_person", frozenset({"PERSON"}), find_persons)
