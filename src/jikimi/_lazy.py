"""Package attributes imported on first use (PEP 562).

Why: the ``jikimi`` command registers every subcommand, which imports each subpackage's CLI
module and so its package ``__init__``; eager re-exports there would import YAML, JSON Schema,
pyarrow, numpy or cryptography with every command, ``jikimi scan`` included.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps a public name to the
    submodule that defines it; a name is imported when first asked for, then cached in
    ``namespace`` (the package's ``globals()``)."""

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *exports})

    return getattr_, dir_
