"""Property tests for the training-compute estimator (AI Basic Act Art. 32 threshold)."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.assess.compute import (
    THRESHOLD_FLOPS,
    accelerators,
    estimate,
    flops_from_hardware,
    flops_from_parameters,
)
from jikimi.assess.model import ComputeRun, system_schema

pos = st.floats(min_value=1.0, max_value=1e15, allow_nan=False, allow_infinity=False)
util = st.floats(min_value=0.01, max_value=1.0)
acc_ids = st.sampled_from(sorted(accelerators()))


@given(pos, pos, st.floats(min_value=1.01, max_value=10))
def test_parameters_tokens_monotone_and_linear(n: float, d: float, k: float) -> None:
    base = flops_from_parameters(n, d)
    assert base == pytest.approx(6 * n * d)
    assert flops_from_parameters(n * k, d) > base
    assert flops_from_parameters(n, d * k) == pytest.approx(base * k)


@given(acc_ids, st.integers(1, 100_000), st.floats(0.01, 1000), util)
def test_hardware_is_bounded_by_peak(acc: str, count: int, days: float, u: float) -> None:
    peak = accelerators()[acc].peak_flops
    f = flops_from_hardware(peak, count, days, u)
    assert 0 < f <= peak * count * days * 86_400 * (1 + 1e-12)
    assert flops_from_hardware(peak, count * 2, days, u) == pytest.approx(2 * f)
    assert flops_from_hardware(peak, count, days, min(1.0, u * 1.5)) >= f


@settings(max_examples=50)
@given(st.lists(st.floats(1e10, 1e27), min_size=1, max_size=8))
def test_sum_is_order_independent_and_exact(values: list[float]) -> None:
    runs = [ComputeRun(flops=v) for v in values]
    a = estimate(runs)
    b = estimate(list(reversed(runs)))
    assert a.flops == b.flops == math.fsum(values)
    assert a.method == "reported"
    assert a.at_or_above_threshold is (math.fsum(values) >= THRESHOLD_FLOPS)


@given(st.floats(1e20, 1e30))
def test_threshold_boundary(v: float) -> None:
    e = estimate([ComputeRun(flops=v)])
    assert e.at_or_above_threshold is (v >= 1e26)


def test_exactly_threshold_counts() -> None:
    assert estimate([ComputeRun(flops=1e26)]).at_or_above_threshold
    assert not estimate([ComputeRun(flops=math.nextafter(1e26, 0))]).at_or_above_threshold


def test_mixed_methods_and_empty() -> None:
    e = estimate([ComputeRun(flops=1e20), ComputeRun(parameters=1e9, tokens=1e12)])
    assert e.method == "mixed" and e.flops == pytest.approx(1e20 + 6e21)
    empty = estimate([])
    assert empty.flops is None and empty.method is None and not empty.at_or_above_threshold


def test_known_hardware_figure() -> None:
    # 1,000 H100 SXM for 30 days at 40%: 989.4e12 * 1000 * 30 * 86400 * 0.4
    e = estimate([ComputeRun(accelerator="nvidia_h100_sxm", count=1000, days=30, utilization=0.4)])
    assert e.flops == pytest.approx(1.0258099e24, rel=1e-6)
    assert "BF16" in e.runs[0].formula and "datasheet" in e.runs[0].source


@pytest.mark.parametrize("bad", [(0, 1), (1, 0), (-1, 5)])
def test_invalid_parameters(bad: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        flops_from_parameters(*bad)


def test_invalid_hardware() -> None:
    with pytest.raises(ValueError):
        flops_from_hardware(1e15, 1, 1, 1.5)
    with pytest.raises(ValueError):
        flops_from_hardware(1e15, 0, 1, 0.5)


def test_accelerator_table_is_sourced_and_matches_schema() -> None:
    table = accelerators()
    for a in table.values():
        assert a.peak_flops > 1e13
        assert a.precision in ("BF16", "FP16")
        assert a.source and a.url.startswith("https://")
    enum = system_schema()["properties"]["training"]["properties"]["compute"]["items"]["properties"]["accelerator"]["enum"]
    assert sorted(enum) == sorted(table)


def test_yaml_floats_without_dot_are_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jikimi.assess.model import load_description

    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({
        "operator": {"name": "x", "role": "developer", "korean_address_or_office": True},
        "system": {"purpose": "x", "use_areas": ["other"]},
    }) + "training:\n  compute:\n    - flops: 1e26\n    - parameters: 7e9\n      tokens: 2e12\n")
    d = load_description(p)
    assert d.training.compute[0].flops == 1e26
    assert estimate(d.training.compute).flops == pytest.approx(1e26 + 6 * 7e9 * 2e12)
