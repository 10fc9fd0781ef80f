"""Dotted field paths into parsed JSON (and nested Parquet values), and what text they yield.

A path like ``turns.text`` names every ``text`` of every element of ``turns``; the text found is
reported under its concrete path (``turns.0.text``, ``turns.1.text``) so a finding points at
one value and ``protect`` can write the replacement back to the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A compiled dotted path: ``raw`` as the user wrote it, ``parts`` split on dots."""

    raw: str
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> FieldPath:
        parts = tuple(raw.split("."))
        if not raw or any(not p for p in parts):
            raise ValueError(f"invalid field path {raw!r}: empty segment")
        return cls(raw, parts)


def join(prefix: str, key: str | int) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def as_id(value: Any) -> str | int | None:
    """A record id from a JSON/table value: strings and integers as they are, floats as
    text, anything else (null, booleans, containers) is no id."""
    t = type(value)
    if t is str or t is int:
        return value  # type: ignore[no-any-return]
    if t is float:
        return str(value)
    return None


def get_path(node: Any, parts: tuple[str, ...]) -> Any:
    """The value at ``parts`` (no list expansion; digits index lists), or None."""
    for key in parts:
        if type(node) is dict:
            node = node.get(key)
        elif type(node) is list and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def walk_strings(node: Any, prefix: str, out: dict[str, str], skip: str) -> None:
    """Every string under ``node`` into ``out`` keyed by its path, except the path ``skip``.

    The "scan everything" mode: numbers and booleans are left out (counts, flags and
    timestamps would flood the scanner with noise); ask for a field to have numbers scanned.
    """
    if type(node) is dict:
        items: Any = node.items()
    elif type(node) is list:
        items = enumerate(node)
    else:
        return
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if path == skip:
            continue
        t = type(value)
        if t is str:
            out[path] = value
        elif t is dict or t is list:
            walk_strings(value, path, out, skip)


def number_text(value: float) -> str:
    """Numbers as the digits a person would have typed: ``9001011234567.0`` was an RRN."""
    if type(value) is float and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def leaf(value: Any, path: str, out: dict[str, str], bad: list[str], top: bool = True) -> None:
    """Text of a requested value: strings, numbers (an RRN stored as an int is still an RRN),
    every such leaf under a requested object or list. ``null`` is no text and no error (an
    optional field left empty); a boolean where text was asked for is an error (``bad``)."""
    t = type(value)
    if t is str:
        out[path] = value
    elif t is int or t is float:
        out[path] = number_text(value)
    elif t is dict:
        for key, v in value.items():
            leaf(v, f"{path}.{key}", out, bad, False)
    elif t is list:
        for i, v in enumerate(value):
            leaf(v, f"{path}.{i}", out, bad, False)
    elif value is not None and top:
        bad.append(path)


def collect(
    node: Any, parts: tuple[str, ...], i: int, prefix: str, out: dict[str, str], bad: list[str]
) -> bool:
    """Text at ``parts[i:]`` below ``node`` into ``out``; False if the path does not exist.

    A non-numeric segment meeting a list applies to every element. The path exists if any
    element has it, or the list is empty (present, nothing to scan): elements of a
    heterogeneous list that lack it (a tool call among chat turns) are not errors.
    """
    n = len(parts)
    while i < n:
        key = parts[i]
        t = type(node)
        if t is dict:
            if key not in node:
                return False
            node = node[key]
        elif t is list:
            if key.isdigit():
                idx = int(key)
                if idx >= len(node):
                    return False
                node = node[idx]
            else:
                found = not node
                for j, element in enumerate(node):
                    if collect(element, parts, i, join(prefix, j), out, bad):
                        found = True
                return found
        else:
            return False
        prefix = join(prefix, key)
        i += 1
    leaf(node, prefix, out, bad)
    return True
