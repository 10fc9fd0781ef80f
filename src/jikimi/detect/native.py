"""The native scan core: loading it, and handing it the recognizers' tables.

``jikimi.detect._native`` (C, built at install from ``detect/_native/``) reproduces the Python
recognizers in :mod:`patterns`, :mod:`names` and :mod:`addresses` finding for finding; the
Python modules stay the reference and the fallback. The tables (keywords, surnames, cue words,
region names…) are defined once, in the Python modules, and passed to the core here, so the two
implementations cannot drift apart on data. ``tests/test_native.py`` compares them on the
labeled corpus and on generated text.

Set ``JIKIMI_PURE_PYTHON=1`` to force the Python recognizers (for debugging a difference).
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from jikimi.detect.finding import Finding
from jikimi.entities import ENTITY_TYPES

_module: ModuleType | None = None
_tried = False


def _tables(mod: ModuleType) -> dict[str, Any]:
    from jikimi.detect import addresses, keywords, names, patterns

    ents = {name: i for i, name in enumerate(mod.ENTITIES)}
    neg = 1 << mod.NEGATIVE_BIT
    keyword_types = {
        word: sum(neg if t == keywords.NEGATIVE_KEY else 1 << ents[t] for t in types)
        for word, types in keywords.KEYWORD_TYPES.items()
    }
    cfg: dict[str, Any] = {
        "finding_type": Finding,
        "priority": {name: e.priority for name, e in ENTITY_TYPES.items()},
        "keyword_types": keyword_types,
    }
    for part in (patterns, names, addresses):
        tables = getattr(part, "native_tables", None)
        if tables is not None:
            cfg.update(tables())
    return cfg


def core() -> ModuleType | None:
    """The configured native core, or None when it is not built (or JIKIMI_PURE_PYTHON is set)."""
    global _module, _tried
    if _tried:
        return _module
    _tried = True
    if os.environ.get("JIKIMI_PURE_PYTHON"):
        return None
    try:
        from jikimi.detect import _native
    except ImportError:
        return None
    _native.configure(_tables(_native))
    _module = _native
    return _module


def entity_mask(entities: frozenset[str]) -> int:
    """Bit mask of ``entities`` in the core's type order."""
    mod = core()
    if mod is None:
        raise RuntimeError("the native scan core is not available")
    return sum(1 << i for i, name in enumerate(mod.ENTITIES) if name in entities)
