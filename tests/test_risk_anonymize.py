"""anonymize/enforce: targets always met or the run fails; suppression is always accounted."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jikimi.risk import Targets, TargetsNotMet, anonymize, enforce, measure
from jikimi.risk.api import _Problem
from jikimi.risk.cli import app
from jikimi.risk.suggest import suggest

SIDO = ["서울특별시 종로구", "서울특별시 강남구", "부산광역시 해운대구", "경기도 성남시 분당구"]


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(1, 40))
    return pa.table(
        {
            "id": list(range(n)),
            "age": draw(st.lists(st.integers(0, 99), min_size=n, max_size=n)),
            "sex": draw(st.lists(st.sampled_from(["남", "여"]), min_size=n, max_size=n)),
            "addr": draw(st.lists(st.sampled_from(SIDO), min_size=n, max_size=n)),
            "dx": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
            "pay": draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)),
        }
    )


HIER = {"age": "age", "sex": "sex", "addr": "address"}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(),
    k=st.integers(1, 6),
    l=st.none() | st.integers(1, 3),
    t=st.none() | st.sampled_from([0.1, 0.3, 0.6]),
    entropy=st.booleans(),
    budget=st.sampled_from([0.0, 0.05, 0.2, 0.5]),
)
def test_output_meets_targets_or_fails(
    table: pa.Table, k: int, l: int | None, t: float | None, entropy: bool, budget: float
) -> None:
    qi = ["age", "sex", "addr"]
    sens = ["dx", "pay"] if (l is not None or t is not None) else []
    targets = Targets(
        k=k,
        l=l,
        t=t,
        max_suppression=budget,
        sensitive=tuple(sens),
        l_model="entropy" if entropy else "distinct",
        hierarchies=HIER,
    )
    try:
        out, rep = enforce(table, qi, targets)
    except TargetsNotMet:
        return
    n = table.num_rows
    # suppressed records are counted, never silently lost
    assert rep.rows_out + rep.suppressed == n == rep.rows_in
    assert rep.suppressed <= budget * n + 1e-9
    kept = out.column("id").to_pylist()
    assert sorted(kept + rep.suppressed_rows.tolist()) == list(range(n))
    # the released table meets every target when measured afresh
    after = measure(out, qi, sens, k_target=k)
    assert after.meets(targets)
    if out.num_rows:
        assert after.k >= k
        if l is not None:
            got = after.l_entropy if entropy else after.l_distinct
            assert got is not None and got + 1e-9 >= l
        if t is not None:
            assert after.t is not None and after.t <= t + 1e-9
    # non-QI columns are untouched
    src = {r["id"]: r for r in table.to_pylist()}
    for row in out.to_pylist():
        assert row["dx"] == src[row["id"]]["dx"] and row["pay"] == src[row["id"]]["pay"]


@settings(max_examples=40, deadline=None)
@given(table=tables(), k=st.integers(2, 5), budget=st.sampled_from([0.0, 0.1, 0.3]))
def test_search_finds_the_least_loss_node(table: pa.Table, k: int, budget: float) -> None:
    """Against brute force over the whole lattice (k-anonymity: a monotone model)."""
    qi = ["age", "sex", "addr"]
    targets = Targets(k=k, max_suppression=budget, hierarchies=HIER)
    prob = _Problem(table, qi, targets, None)
    best = None
    for node in itertools.product(*(range(h + 1) for h in prob.heights)):
        if prob.evaluate(node):
            loss = prob.cache[node].ncp
            best = loss if best is None else min(best, loss)
    try:
        _, rep = enforce(table, qi, targets)
    except TargetsNotMet:
        assert best is None
        return
    assert best is not None and rep.ncp == pytest.approx(best)


def test_impossible_target_raises_clear_error() -> None:
    t = pa.table({"age": [1, 2, 3], "sex": ["남", "여", "남"]})
    with pytest.raises(TargetsNotMet, match=r"k=5 with at most 0\.0% of records suppressed"):
        anonymize(t, ["age", "sex"], k=5)
    out, rep = anonymize(t, ["age", "sex"], k=5, max_suppression=1.0)
    assert out.num_rows == 0 and rep.suppressed == 3  # all suppressed, all counted


def test_already_safe_table_is_returned_unchanged() -> None:
    t = pa.table({"age": [30] * 5 + [40] * 5, "x": list(range(10))})
    out, rep = anonymize(t, ["age"], k=5)
    assert out.equals(t) and rep.levels == {"age": "raw"} and rep.ncp == 0.0


def test_bad_targets_are_usage_errors() -> None:
    with pytest.raises(ValueError, match="sensitive"):
        Targets(k=2, l=2)
    with pytest.raises(ValueError, match="both QI and sensitive"):
        anonymize(pa.table({"a": [1]}), ["a"], k=1, l=1, sensitive=["a"])


def test_user_hierarchy_file_is_used(tmp_path: Path) -> None:
    h = tmp_path / "dept.csv"
    h.write_text("내과,의료\n외과,의료\n원무과,행정\n총무과,행정\n", "utf-8")
    t = pa.table({"dept": ["내과", "외과", "원무과", "총무과"] * 2 + ["내과", "원무과"]})
    out, rep = anonymize(t, ["dept"], k=4, hierarchies={"dept": str(h)})
    assert rep.levels == {"dept": "L1"}
    assert sorted(set(out.column("dept").to_pylist())) == ["의료", "행정"]


# -------------------------------------------------------------------------------- suggest


def test_suggest_quasi_identifiers() -> None:
    t = pa.table(
        {
            "나이": ["34", "51", "27"],
            "성별": ["남", "여", "여"],
            "주소": [
                "서울특별시 종로구 세종대로 209",
                "부산광역시 해운대구 우동 1408",
                "경기도 성남시 분당구 정자동 178-1",
            ],
            "우편번호": ["03154", "48095", "13561"],
            "직업": ["간호사", "회사원", "요리사"],
            "진료일": ["2024-01-03", "2024-02-11", "2024-03-09"],
            "연락처": ["010-1234-5678", "010-2345-6789", "010-3456-7890"],
            "gender_x": ["M", "F", "F"],
            "메모": ["없음", "없음", "없음"],
        }
    )
    got = {s.column: (s.role, s.hierarchy) for s in suggest(t)}
    assert got["나이"] == ("quasi_identifier", "age")
    assert got["성별"] == ("quasi_identifier", "sex")
    assert got["주소"] == ("quasi_identifier", "address")
    assert got["우편번호"] == ("quasi_identifier", "postal_code")
    assert got["직업"] == ("quasi_identifier", "occupation")
    assert got["진료일"] == ("quasi_identifier", "date")
    assert got["연락처"] == ("direct_identifier", None)
    assert got["gender_x"] == ("quasi_identifier", "sex")
    assert "메모" not in got


# ------------------------------------------------------------------------------------ CLI


def _csv(tmp_path: Path, n: int = 60) -> Path:
    rng = np.random.default_rng(3)
    t = pa.table(
        {
            "나이": [str(a) for a in rng.integers(20, 80, n)],
            "성별": list(rng.choice(["남", "여"], n)),
            "주소": list(rng.choice(SIDO, n)),
            "진단": list(rng.choice(["감기", "독감", "당뇨"], n)),
            "금액": [str(v) for v in rng.integers(1, 9, n)],
        }
    )
    path = tmp_path / "t.csv"
    pacsv.write_csv(t, path)
    return path


def test_cli_measure_json(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    res = CliRunner().invoke(
        app, [str(path), "--qi", "나이,성별,주소", "--sensitive", "진단,금액", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = orjson.loads(res.output)
    assert doc["report"]["rows"] == 60 and doc["report"]["per_attribute"]["금액"]["ordered"] == 1
    res = CliRunner().invoke(app, [str(path), "--qi", "나이,성별,주소", "--k", "5"])
    assert res.exit_code == 1  # measured, and k=5 is not met
    assert "prosecutor" in res.output


def test_cli_fix_writes_table_and_report(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(
        app,
        [
            str(path),
            "--qi",
            "나이,성별,주소",
            "--sensitive",
            "진단",
            "--k",
            "5",
            "--l",
            "2",
            "--max-suppression",
            "0.05",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    rep = orjson.loads(res.output)["report"]
    written = pacsv.read_csv(out)
    assert written.num_rows == rep["rows_out"] == 60 - rep["suppressed"]
    assert measure(written, ["나이", "성별", "주소"], ["진단"]).k >= 5
    assert rep["after"]["k"] >= 5 and rep["after"]["l_distinct"] >= 2


def test_cli_unmet_and_usage_errors(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    res = CliRunner().invoke(
        app, [str(path), "--qi", "나이", "--k", "100", "-o", str(tmp_path / "o.csv")]
    )
    assert res.exit_code == 1 and not (tmp_path / "o.csv").exists()
    res = CliRunner().invoke(app, [str(path), "--qi", "없는열"])
    assert res.exit_code == 2
    res = CliRunner().invoke(app, [str(tmp_path / "missing.csv"), "--qi", "a"])
    assert res.exit_code == 2


def test_cli_suggests_qis(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    res = CliRunner().invoke(app, [str(path), "--suggest"])
    assert res.exit_code == 0
    assert "나이\tquasi_identifier\tage" in res.output
    res = CliRunner().invoke(app, [str(path), "--json"])
    assert orjson.loads(res.output)["qi"] == ["나이", "성별", "주소"]
