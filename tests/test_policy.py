"""Protection policy: PIPA tier defaults, validation with line numbers, unsafe combinations."""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi.entities import ENTITY_TYPES
from jikimi.policy import PolicyError, default_policy, load_policy, parse_policy


def test_defaults_follow_tiers() -> None:
    p = default_policy()
    for name, e in ENTITY_TYPES.items():
        r = p.rule_for(name)
        if e.tier == 1:
            assert r.operator in ("encrypt", "redact")  # never in clear
        if e.tier == 4 and name in ("DATE_OF_BIRTH", "KR_POSTAL_CODE"):
            assert r.operator == "generalize"
    assert p.rule_for("PERSON").operator == "surrogate"
    assert p.rule_for("PHONE_NUMBER").operator == "token"


def test_file_overrides_and_digest(tmp_path: Path) -> None:
    f = tmp_path / "jikimi.toml"
    f.write_text(
        '[entities.PHONE_NUMBER]\noperator = "fpe"\n\n[entities.KR_RRN]\noperator = "encrypt"\n'
        'deterministic = false\n\n[scan]\nmin_score = 0.7\nfields = ["text"]\n',
        encoding="utf-8",
    )
    p = load_policy(f)
    assert p.rule_for("PHONE_NUMBER").operator == "fpe"
    assert p.rule_for("KR_RRN").deterministic is False
    assert p.rule_for("PHONE_NUMBER").source == f"{f}:1"
    assert p.min_score == 0.7 and p.fields == ("text",)
    assert len(p.digest) == 64


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ('[entities.KR_RRN]\noperator = "mask"\n', 1, "unique identifier"),
        ('\n\n[entities.KR_PASSPORT]\noperator = "keep"\n', 3, "unique identifier"),
        ('[entities.NOPE]\noperator = "token"\n', 1, "unknown entity type"),
        ('[scan]\nmin_score = 0.7\nbogus = 1\n', 3, "unknown key scan.bogus"),
        ('[entities.DATE_OF_BIRTH]\noperator = "generalize"\nlevel = "week"\n', 3, "level 'week'"),
        ('[entities.EMAIL_ADDRESS]\noperator = "fpe"\n', 1, "fpe"),
        ('[entities.PHONE_NUMBER]\noperator = "keep"\n', 1, "allow_clear"),
        ('[entities.PHONE_NUMBER]\noperator = "token"\ndeterministic = true\n', 3, "deterministic applies only"),
        ('[entities.PHONE_NUMBER]\noperator = "shred"\n', 2, "unknown operator"),
        ('[entities.PHONE_NUMBER]\nop = "token"\n', 2, "unknown key"),
        ('[whatever]\nx = 1\n', 1, "unknown section"),
        ('[subjects]\nidentifier_priority = ["KR_RRN", "SHOE_SIZE"]\n', 2, "SHOE_SIZE"),
    ],
)
def test_invalid_policies_name_the_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(PolicyError) as exc:
        parse_policy(text, source="jikimi.toml")
    assert f"jikimi.toml:{line}:" in str(exc.value)
    assert needle in str(exc.value)


def test_keep_with_allow_clear_and_tier_defaults() -> None:
    p = parse_policy('[entities.PHONE_NUMBER]\noperator = "keep"\nallow_clear = true\n[defaults]\ntier3 = "surrogate"\n')
    assert p.rule_for("PHONE_NUMBER").operator == "keep"
    assert p.rule_for("EMAIL_ADDRESS").operator == "surrogate"


def test_tier1_default_cannot_be_keep() -> None:
    with pytest.raises(PolicyError, match="unique identifier"):
        parse_policy('[defaults]\ntier1 = "keep"\n')


def test_broken_toml() -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        parse_policy("[entities\n")


def test_columns() -> None:
    p = parse_policy('[columns.resident_no]\nentity = "KR_RRN"\noperator = "encrypt"\n')
    assert p.columns["resident_no"].entity_type == "KR_RRN"
    with pytest.raises(PolicyError, match="unique identifier"):
        parse_policy('[columns.resident_no]\nentity = "KR_RRN"\noperator = "mask"\n')
