"""Training-compute estimator for the AI Basic Act safety threshold (Art. 32; Decree Art. 24).

Why: the safety duty starts at a cumulative training compute of 10^26 floating-point operations
[A2], and the draft MSIT notice accepts theoretical, empirical or hardware-based estimates and
counts preprocessing and fine-tuning as well as pre-training [A8] (final text UNVERIFIED). Few
operators have a measured FLOP count, so three methods are offered per training stage and the
stages are summed:

* ``flops`` — a measured or reported total, taken as given;
* ``parameters`` × ``tokens`` — the standard dense-transformer approximation C ≈ 6·N·D (2 FLOPs
  per parameter per token forward, 4 backward; Kaplan et al. 2020, "Scaling Laws for Neural
  Language Models", arXiv:2001.08361, s2.1). For mixture-of-experts models N is the parameters
  active per token;
* ``accelerator`` × ``count`` × ``days`` × ``utilization`` — peak dense throughput from the bundled
  table (``data/accelerators.yaml``: vendor datasheet figures, BF16 tensor/matrix, no sparsity)
  times wall-clock seconds times the achieved fraction of peak.

These are engineering estimates, not legal facts; the report always shows the method and inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from jikimi.assess.model import ComputeRun

THRESHOLD_FLOPS = 1e26
"""Decree Art. 24: cumulative training compute of at least 10^26 floating-point operations [A2]."""

SECONDS_PER_DAY = 86_400
FLOPS_PER_PARAM_TOKEN = 6


@dataclass(frozen=True, slots=True)
class Accelerator:
    """One row of the bundled accelerator table."""

    id: str
    name: str
    peak_flops: float
    precision: str
    source: str
    url: str


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    text = resources.files("jikimi.assess").joinpath("data/accelerators.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def accelerators() -> dict[str, Accelerator]:
    """The bundled accelerator table, keyed by id."""
    rows = _table()["accelerators"]
    return {
        k: Accelerator(k, v["name"], float(v["peak_flops"]), v["precision"], v["source"], v["url"])
        for k, v in sorted(rows.items())
    }


def table_precision() -> str:
    """The precision the table's peaks are quoted in."""
    return str(_table()["precision"])


def flops_from_parameters(parameters: float, tokens: float) -> float:
    """C ≈ 6·N·D for dense transformer training."""
    if parameters <= 0 or tokens <= 0:
        raise ValueError("parameters and tokens must be positive")
    return FLOPS_PER_PARAM_TOKEN * parameters * tokens


def flops_from_hardware(peak_flops: float, count: int, days: float, utilization: float) -> float:
    """Peak FLOP/s × accelerators × seconds × utilization."""
    if peak_flops <= 0 or count < 1 or days <= 0 or not 0 < utilization <= 1:
        raise ValueError("need peak > 0, count >= 1, days > 0 and 0 < utilization <= 1")
    return peak_flops * count * days * SECONDS_PER_DAY * utilization


@dataclass(frozen=True, slots=True)
class RunEstimate:
    """One stage's estimate and how it was reached."""

    stage: str
    method: str  # "reported" | "parameters_tokens" | "hardware"
    flops: float
    formula: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"stage": self.stage, "method": self.method, "flops": self.flops,
                             "formula": self.formula}
        if self.source:
            d["source"] = self.source
        return d


@dataclass(frozen=True, slots=True)
class ComputeEstimate:
    """The summed estimate; ``flops`` is None when no stage was described."""

    flops: float | None
    method: str | None  # one of the run methods, "mixed", or None
    runs: tuple[RunEstimate, ...]
    threshold: float = THRESHOLD_FLOPS

    @property
    def at_or_above_threshold(self) -> bool:
        return self.flops is not None and self.flops >= self.threshold

    @property
    def ratio(self) -> float | None:
        return None if self.flops is None else self.flops / self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "flops": self.flops, "method": self.method, "threshold": self.threshold,
            "at_or_above_threshold": self.at_or_above_threshold, "ratio": self.ratio,
            "precision": table_precision() if any(r.method == "hardware" for r in self.runs) else None,
            "runs": [r.to_dict() for r in self.runs],
        }


def estimate_run(run: ComputeRun) -> RunEstimate:
    """Estimate one validated stage (exactly one method is set, see :mod:`jikimi.assess.model`)."""
    if run.flops is not None:
        return RunEstimate(run.stage, "reported", float(run.flops), f"reported {run.flops:.3e} FLOPs")
    if run.parameters is not None and run.tokens is not None:
        f = flops_from_parameters(run.parameters, run.tokens)
        return RunEstimate(run.stage, "parameters_tokens", f,
                           f"6 × {run.parameters:.3e} parameters × {run.tokens:.3e} tokens")
    if run.accelerator is not None and run.count and run.days and run.utilization:
        acc = accelerators().get(run.accelerator)
        if acc is None:
            raise ValueError(f"unknown accelerator {run.accelerator!r}; known: {', '.join(accelerators())}")
        f = flops_from_hardware(acc.peak_flops, run.count, run.days, run.utilization)
        return RunEstimate(
            run.stage, "hardware", f,
            f"{acc.peak_flops:.4g} FLOP/s ({acc.name}, {acc.precision} dense peak) × {run.count}"
            f" × {run.days:g} days × 86,400 s × {run.utilization:g} utilization",
            f"{acc.source} <{acc.url}>",
        )
    raise ValueError("compute run has no complete estimation method")


def estimate(runs: Sequence[ComputeRun]) -> ComputeEstimate:
    """Sum the stages (math.fsum, so the order of stages does not change the result)."""
    ests = tuple(estimate_run(r) for r in runs)
    if not ests:
        return ComputeEstimate(None, None, ())
    methods = {e.method for e in ests}
    method = next(iter(methods)) if len(methods) == 1 else "mixed"
    return ComputeEstimate(math.fsum(e.flops for e in ests), method, ests)
