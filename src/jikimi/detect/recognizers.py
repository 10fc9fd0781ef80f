"""Assembles the default recognizer set from the modules that implement them."""

from __future__ import annotations

from jikimi.detect.registry import Recognizer


def default_recognizers() -> list[Recognizer]:
    from jikimi.detect import addresses, names, patterns

    return [*patterns.RECOGNIZERS, names.RECOGNIZER, addresses.RECOGNIZER]
