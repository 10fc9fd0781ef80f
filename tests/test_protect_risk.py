"""``protect`` enforces the policy's re-identification targets on tables (issue: risk)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from jikimi.keys import LocalKeyring, insecure_fast_scrypt_for_tests
from jikimi.pipeline.protect import ProtectJob
from jikimi.pipeline.quarantine import QUARANTINE_NAME, open_quarantine
from jikimi.policy import PolicyError, parse_policy

PLACES = ["서울특별시 종로구", "서울특별시 강남구", "부산광역시 해운대구", "경기도 성남시 분당구", "대구광역시 수성구"]


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[LocalKeyring]:
    with insecure_fast_scrypt_for_tests(), LocalKeyring(tmp_path / "home", passphrase="risk test") as kr:
        yield kr


@pytest.fixture
def table(tmp_path: Path) -> Path:
    rng = random.Random(5)
    n = 400
    t = pa.table({
        "id": [f"p{i}" for i in range(n)],
        "age": [str(rng.randint(20, 80)) for _ in range(n)],
        "sex": [rng.choice(["남", "여"]) for _ in range(n)],
        "address": [rng.choice(PLACES) + f" 테헤란로 {rng.randint(1, 300)}" for _ in range(n)],
        "diagnosis": [rng.choice(["감기", "당뇨", "고혈압", "골절", "천식"]) for _ in range(n)],
    })
    p = tmp_path / "patients.csv"
    pacsv.write_csv(t, p)
    return p


def _policy(k: int, extra: str = "") -> str:
    return f'[risk]\nquasi_identifiers = ["age", "sex", "address"]\nsensitive = ["diagnosis"]\nk = {k}\n{extra}'


def test_output_meets_k_and_suppressed_rows_are_kept_encrypted(tmp_path: Path, keyring: LocalKeyring, table: Path) -> None:
    pol = parse_policy(_policy(5, "l = 2\nmax_suppression = 0.05\n"))
    res = ProtectJob(keyring, policy=pol).run(table, tmp_path / "out")
    out = pacsv.read_csv(tmp_path / "out" / "patients.csv").to_pylist()
    classes = Counter((r["age"], r["sex"], r["address"]) for r in out)
    assert min(classes.values()) >= 5
    for key in classes:  # distinct 2-diversity in every class
        assert len({r["diagnosis"] for r in out if (r["age"], r["sex"], r["address"]) == key}) >= 2
    m = res.manifest
    assert m["risk"]["met"] and m["risk"]["k_achieved"] >= 5
    f = res.files[0]
    assert f.records_in == 400 and f.records_out + f.quarantined == 400
    assert f.suppressed == f.quarantined <= 20 and res.failed == 0
    entries = list(open_quarantine(tmp_path / "out" / QUARANTINE_NAME, keyring))
    assert len(entries) == f.suppressed
    import base64
    import json

    for e in entries:  # the quarantine names each suppressed row by its input row number
        assert json.loads(base64.b64decode(e["raw"]))["id"] == f"p{e['line'] - 1}"


def test_unreachable_target_withholds_the_table(tmp_path: Path, keyring: LocalKeyring, table: Path) -> None:
    pol = parse_policy(_policy(5, "l = 6\nmax_suppression = 0.0\n"))  # only 5 diagnoses exist
    res = ProtectJob(keyring, policy=pol).run(table, tmp_path / "out")
    assert res.manifest["records"] == {"in": 400, "out": 0, "quarantined": 400, "balanced": True}
    assert res.failed == 400 and not res.manifest["risk"]["met"]
    assert pacsv.read_csv(tmp_path / "out" / "patients.csv").num_rows == 0


def test_allow_below_target_writes_and_says_so(tmp_path: Path, keyring: LocalKeyring, table: Path) -> None:
    pol = parse_policy(_policy(5, "l = 6\nmax_suppression = 0.0\nallow_below_target = true\n"))
    res = ProtectJob(keyring, policy=pol).run(table, tmp_path / "out")
    assert res.manifest["records"]["out"] == 400
    info = res.files[0].risk
    assert info is not None and info["met"] is False and info["allowed_below_target"] is True


def test_risk_policy_validation() -> None:
    with pytest.raises(PolicyError, match="quasi_identifiers"):
        parse_policy("[risk]\nk = 5\n")
    with pytest.raises(PolicyError, match="sensitive"):
        parse_policy('[risk]\nquasi_identifiers = ["age"]\nl = 2\n')
    with pytest.raises(PolicyError, match=r"risk\.k"):
        parse_policy('[risk]\nquasi_identifiers = ["age"]\nk = 1\n')
