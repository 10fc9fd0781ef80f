"""Structured identifiers (placeholder)."""
from jikimi.detect.registry import Recognizer
RECOGNIZERS: list[Recognizer] = []
