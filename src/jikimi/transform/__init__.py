"""De-identification operators (format-preserving encryption, tokens, ...)."""

# Re-exports of the operators (see jikimi.transform.operators).
# The FF1 module is loaded first on purpose: its name is also the name of the ``fpe`` operator,
# and Python binds a submodule onto its package when the submodule is first imported. Loading
# it here, before the re-export below, makes ``jikimi.transform.fpe`` the operator function for
# good (the module stays importable as ``jikimi.transform.fpe`` through ``sys.modules``).
import importlib as _importlib

try:
    _importlib.import_module("jikimi.transform.fpe")
except ImportError:  # pragma: no cover - FF1 not installed yet; the fpe operator imports lazily
    pass

from jikimi.transform.operators import *
from jikimi.transform.operators import __all__ as __all__
