"""Shared pieces of the differential tests of the native scan core (tests/test_native*.py):
each native recognizer's raw findings against its Python reference's, and the Hangul sentences
of a recognizer's own test file as test input."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jikimi.detect import native

Raw = list[tuple[Any, ...]]


def python_raw(find: Callable[[str], list[Any]], text: str) -> Raw:
    """The Python recognizer's findings as the core reports them (no field)."""
    return [tuple(f[:5]) for f in find(text)]


def native_raw(name: str, text: str) -> Raw:
    """The core's ``name`` (find_structured, find_persons, find_addresses) on ``text``."""
    core = native.core()
    assert core is not None
    return [tuple(f) for f in getattr(core, name)(text)]


def assert_same(find: Callable[[str], list[Any]], name: str, texts: list[str]) -> None:
    """Every text gives the same raw findings in Python and in the core; the first that does
    not is shown with both readings."""
    bad = [t for t in texts if native_raw(name, t) != python_raw(find, t)]
    if bad:
        t = bad[0]
        raise AssertionError(
            f"{len(bad)} of {len(texts)} texts differ, first: {t!r}\n"
            f" python {python_raw(find, t)}\n native {native_raw(name, t)}"
        )


def hangul_literals(test_file: str) -> list[str]:
    """The string literals holding Hangul in ``tests/<test_file>``, in order of first
    appearance: the sentences a recognizer's own tests were written around."""
    tree = ast.parse((Path(__file__).parent / test_file).read_text(encoding="utf-8"))
    out: dict[str, None] = {}
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, str) and any("가" <= c <= "힣" for c in value):
            out.setdefault(value)
    return list(out)
