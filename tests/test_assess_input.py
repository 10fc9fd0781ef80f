"""Invalid system descriptions get errors that name the field and what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jikimi.assess.model import DescriptionError, load_description, parse_description, validate

GOOD: dict[str, Any] = {
    "operator": {"name": "Op", "role": "developer", "korean_address_or_office": True},
    "system": {"purpose": "p", "use_areas": ["other"]},
}


def _errs(doc: Any) -> list[str]:
    return [str(e) for e in validate(doc)]


def _with(path: str, value: Any) -> dict[str, Any]:
    import copy

    doc = copy.deepcopy(GOOD)
    node = doc
    parts = path.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value
    return doc


def test_good_description_is_valid() -> None:
    assert validate(GOOD) == []


@pytest.mark.parametrize(("path", "value", "expect"), [
    ("operator.role", "vendor", "operator.role: expected one of: developer, user_operator; got \"vendor\""),
    ("operator.prior_year_revenue_krw", "1조", "operator.prior_year_revenue_krw: expected a number, got \"1조\""),
    ("operator.prior_year_revenue_krw", -5, "operator.prior_year_revenue_krw: expected a number ≥ 0, got -5"),
    ("operator.avg_daily_korean_users", 1.5, "operator.avg_daily_korean_users: expected a whole number"),
    ("system.use_areas", ["hiring"], "system.use_areas[0]: expected one of: energy, drinking_water"),
    ("system.use_areas", [], "system.use_areas: expected at least 1 item(s)"),
    ("system.generative", "yes", "system.generative: expected true or false, got \"yes\""),
    ("system.use_area", ["energy"], "system.use_area: unknown field (expected one of:"),
    ("personal_data.categories", ["ssn"], "personal_data.categories[0]: expected one of: name"),
])
def test_field_errors(path: str, value: Any, expect: str) -> None:
    errs = _errs(_with(path, value))
    assert any(e.startswith(expect) for e in errs), errs


def test_missing_required_fields_are_named() -> None:
    errs = _errs({"operator": {"name": "x"}, "system": {"use_areas": ["other"]}})
    assert "operator.role: required field is missing" in errs
    assert "operator.korean_address_or_office: required field is missing" in errs
    assert "system.purpose: required field is missing" in errs
    assert _errs([1, 2]) == ["(top level): expected a mapping, got [1, 2]"]


def test_transfer_errors() -> None:
    doc = dict(GOOD, transfers=[{"destination": "usa", "items": ["name"], "basis": "adequacy"}])
    errs = _errs(doc)
    assert any(e.startswith("transfers[0].destination: expected text matching") and "ISO 3166" in e for e in errs)
    assert any(e.startswith("transfers[0].basis: expected one of: consent, law_or_treaty") for e in errs)
    doc = dict(GOOD, transfers=[{"destination": "US", "items": ["name"], "basis": "certification",
                                 "certified_since": "2024-13-40"}])
    assert "transfers[0].certified_since: expected a date YYYY-MM-DD" in _errs(doc)[0]


def test_compute_method_errors() -> None:
    doc = dict(GOOD, training={"compute": [{"parameters": 7e9}]})
    assert _errs(doc) == ["training.compute[0].tokens: required with parameters, tokens"]
    doc = dict(GOOD, training={"compute": [{"flops": 1e20, "parameters": 1e9, "tokens": 1e9}]})
    assert "expected exactly one method" in _errs(doc)[0]
    doc = dict(GOOD, training={"compute": [{"stage": "pretraining"}]})
    assert "got none" in _errs(doc)[0]
    doc = dict(GOOD, training={"compute": [{"accelerator": "nvidia_h100_sxm", "count": 8, "days": 1, "utilization": 1.4}]})
    assert _errs(doc) == ["training.compute[0].utilization: expected a number ≤ 1, got 1.4"]
    doc = dict(GOOD, training={"compute": [{"accelerator": "tpu9000", "count": 8, "days": 1, "utilization": 0.4}]})
    assert _errs(doc)[0].startswith("training.compute[0].accelerator: expected one of: nvidia_v100_sxm2")


def test_parse_raises_with_all_errors() -> None:
    with pytest.raises(DescriptionError) as ei:
        parse_description({"operator": {"name": "x", "role": "boss", "korean_address_or_office": "no"},
                           "system": {"purpose": "p", "use_areas": ["other"]}}, source="s.yaml")
    msg = str(ei.value)
    assert "s.yaml: invalid system description (2 problem(s))" in msg
    assert "operator.role" in msg and "operator.korean_address_or_office" in msg


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("operator:\n  name: x\n  role: [developer\nsystem: {}\n")
    with pytest.raises(DescriptionError) as ei:
        load_description(p)
    assert "line " in str(ei.value) and "YAML syntax error" in str(ei.value)
    with pytest.raises(DescriptionError, match="cannot read"):
        load_description(tmp_path / "missing.yaml")


@pytest.mark.parametrize("path", sorted(Path(__file__).parent.parent.joinpath("examples", "assess").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_examples_are_valid(path: Path) -> None:
    d = load_description(path)
    assert d.operator.name and d.system.use_areas


def test_examples_exist() -> None:
    n = len(list(Path(__file__).parent.parent.joinpath("examples", "assess").glob("*.yaml")))
    assert 3 <= n <= 5
