"""The list of recognizers the scan engine runs.

A recognizer is a plain function ``(text: str) -> list[Finding]`` that reports every span it
believes is its entity type, with a score; it does not resolve overlaps with other types (the
engine does, deterministically). ``entity_types`` lets the engine skip recognizers the caller
did not ask for. Keeping the contract this small lets each recognizer live in its own module and
be tested alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jikimi.detect.finding import Finding

RecognizerFn = Callable[[str], list[Finding]]


@dataclass(frozen=True, slots=True)
class Recognizer:
    name: str
    entity_types: frozenset[str]
    find: RecognizerFn
