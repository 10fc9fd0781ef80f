"""Mondrian: every released class has >= k records, rows are kept, cells tell the truth, and
the loss figures are the lattice's (same NCP, discernibility and C_AVG definitions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jikimi.risk import AnonymizationReport, Targets, TargetsNotMet, measure
from jikimi.risk.api import fix
from jikimi.risk.cli import app
from jikimi.risk.hierarchies import builtin
from jikimi.risk.mondrian import MondrianReport, _prepare, mondrian, partition

ADDR = [
    "서울특별시 강남구 역삼동 1",
    "서울특별시 서초구 방배동 1",
    "서울특별시 강남구 역삼동 2",
    "서울특별시 서초구 방배동 2",
    "서울특별시 강남구 역삼동 3",
    "서울특별시 종로구 사직동 1",
    "서울특별시 종로구 사직동 2",
    "서울특별시 강남구 역삼동 4",
]


def test_hand_computed_partitions_labels_and_loss() -> None:
    """8 rows, k = 2, worked by hand.

    Round 1: age (8 of 8 values) and address (서울특별시's children 강남/서초/종로 span all 8)
    tie; age goes first (QI order); median cut ``<= 23`` gives 4 | 4. Round 2: on the left,
    address spans 강남..서초 = 6/8 > age 4/8 -> cut 강남 | 서초; on the right, 강남..종로 spans
    8/8 -> cut 강남 | 종로. Each half has 2 < 2k records: done.
    """
    t = pa.table({"age": [20, 21, 22, 23, 60, 61, 62, 63], "addr": ADDR, "x": list(range(8))})
    out, rep = mondrian(t, ["age", "addr"], 2, hierarchies={"addr": "address"})
    gangnam12 = "{서울특별시 강남구 역삼동 1,서울특별시 강남구 역삼동 2}"
    gangnam34 = "{서울특별시 강남구 역삼동 3,서울특별시 강남구 역삼동 4}"
    assert out.column("age").to_pylist() == [
        "20-22", "21-23", "20-22", "21-23", "60-63", "61-62", "61-62", "60-63",
    ]  # fmt: skip
    assert out.column("addr").to_pylist() == [
        gangnam12,
        "서울특별시 서초구 방배동",  # the whole 방배동 node present: its own label
        gangnam12,
        "서울특별시 서초구 방배동",
        gangnam34,  # 2 of 역삼동's 4 values: the set of them
        "서울특별시 종로구 사직동",
        "서울특별시 종로구 사직동",
        gangnam34,
    ]
    assert out.column("x").to_pylist() == list(range(8))
    # NCP: age ranges cover 3, 3, 4, 2 of 8 values; every address label covers 2 of 8.
    # Per record: 5/8, 5/8, 6/8, 4/8 (2 records each) -> 40/8 over 8 records x 2 QIs.
    assert rep.ncp == pytest.approx(40 / 8 / 16)
    assert rep.discernibility == 4 * 2**2
    assert rep.average_class_size == pytest.approx(8 / (4 * 2))
    assert (rep.partitions, rep.classes, rep.suppressed, rep.rows_out) == (4, 4, 0, 8)
    assert rep.modes == {"age": "numeric", "addr": "address"}
    assert rep.after.k == 2 and rep.before.k == 1


def test_hierarchy_cut_and_whole_node_label() -> None:
    """12 rows, k = 3: the cut on the address falls between 시/도 nodes, and a partition that
    holds every child of its common ancestor is released as the ancestor's label."""
    addr = [
        "서울특별시 강남구 역삼동 1",
        "서울특별시 강남구 삼성동 2",
        "서울특별시 서초구 방배동 3",
        "서울특별시 강남구 역삼동 4",
        "부산광역시 해운대구 우동 1",
        "부산광역시 해운대구 중동 2",
        "부산광역시 수영구 광안동 3",
        "서울특별시 강남구 역삼동 5",
        "서울특별시 강남구 역삼동 6",
        "부산광역시 해운대구 우동 7",
        "서울특별시 서초구 방배동 8",
        "부산광역시 수영구 광안동 9",
    ]
    ages = [21, 22, 23, 24, 31, 33, 35, 37, 51, 52, 60, 61]
    t = pa.table({"age": ages, "addr": addr})
    out, rep = mondrian(t, ["age", "addr"], 3, hierarchies={"addr": "address"})
    assert list(zip(out.column("age").to_pylist(), out.column("addr").to_pylist())) == [
        ("21-23", "서울특별시"),
        ("21-23", "서울특별시"),
        ("21-23", "서울특별시"),
        ("24-33", "*"),
        ("24-33", "*"),
        ("24-33", "*"),
        ("35-61", "부산광역시"),
        ("37-60", "서울특별시"),
        ("37-60", "서울특별시"),
        ("35-61", "부산광역시"),
        ("37-60", "서울특별시"),
        ("35-61", "부산광역시"),
    ]
    # age covers 3, 3, 6, 4 of 12 values; address 7 (서울), 12 (*), 5 (부산), 7 of 12
    per_record = [(3 + 7) / 12, (3 + 12) / 12, (6 + 5) / 12, (4 + 7) / 12]
    assert rep.ncp == pytest.approx(3 * sum(per_record) / (12 * 2))
    assert rep.discernibility == 4 * 9


def test_fewer_rows_than_k_fails() -> None:
    t = pa.table({"age": [30, 31, 32], "sex": ["남", "여", "남"]})
    with pytest.raises(TargetsNotMet, match="k=4 needs at least 4 records"):
        mondrian(t, ["age", "sex"], 4)
    dims, weights, _ = _prepare(t, ["age", "sex"], {})
    with pytest.raises(ValueError, match="needs at least"):
        partition(dims, weights, 4)
    out, rep = mondrian(t, ["age", "sex"], 3)  # exactly k rows: one class, everything general
    assert out.column("age").to_pylist() == ["30-32"] * 3
    assert out.column("sex").to_pylist() == ["*"] * 3
    assert rep.classes == 1


def test_bad_arguments() -> None:
    t = pa.table({"age": [30, 31]})
    with pytest.raises(ValueError, match="k must be"):
        mondrian(t, ["age"], 0)
    with pytest.raises(ValueError, match="not in the table"):
        mondrian(t, ["nope"], 1)
    with pytest.raises(ValueError, match="at least one"):
        mondrian(t, [], 1)


def test_numeric_text_and_k1_keeps_values() -> None:
    """CSV ages are text: with the age hierarchy they are still cut as numbers; k = 1 cuts
    down to single values, so nothing is generalised."""
    t = pa.table({"나이": ["9", "10", "100", "11"]})
    out, rep = mondrian(t, ["나이"], 2, hierarchies={"나이": "age"})
    assert out.column("나이").to_pylist() == ["9-10", "9-10", "11-100", "11-100"]
    out, rep = mondrian(t, ["나이"], 1)
    assert out.column("나이").to_pylist() == ["9", "10", "100", "11"] and rep.ncp == 0.0


SIDO = ["서울특별시 종로구", "서울특별시 강남구", "부산광역시 해운대구", "경기도 성남시 분당구"]
HIER = {"age": "age", "sex": "sex", "addr": "address"}


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(1, 60))
    return pa.table(
        {
            "id": list(range(n)),
            "age": draw(st.lists(st.integers(0, 99), min_size=n, max_size=n)),
            "sex": draw(st.lists(st.sampled_from(["남", "여", None]), min_size=n, max_size=n)),
            "addr": draw(st.lists(st.sampled_from(SIDO), min_size=n, max_size=n)),
        }
    )


def _covers(label: str | None, value: object, column: str) -> bool:
    """Whether a released cell is true of the original value."""
    if label is None:  # a missing value released as itself
        return value is None
    if column == "age":
        lo, _, hi = label.partition("-")
        return float(lo) <= float(str(value)) <= float(hi or lo)
    text = "" if value is None else str(value)
    path = {text, *builtin(HIER[column]).labels(text)}
    if label.startswith("{"):
        return bool(path & set(label[1:-1].split(",")))
    return label in path


def _independent_ncp(table: pa.Table, out: pa.Table, qi: list[str]) -> float:
    """NCP recomputed from the released cells alone: a cell costs (distinct original values of
    the column it is true of) / (distinct values of the column), 0 when that is one value."""
    total = 0.0
    for q in qi:
        original = table.column(q).to_pylist()
        distinct = set(original)
        for cell in out.column(q).to_pylist():
            cover = sum(_covers(cell, v, q) for v in distinct)
            total += cover / len(distinct) if cover > 1 else 0.0
    return total / (int(table.num_rows) * len(qi))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), k=st.integers(1, 8))
def test_every_class_has_k_rows_and_rows_are_kept(table: pa.Table, k: int) -> None:
    qi = ["age", "sex", "addr"]
    n = table.num_rows
    if n < k:
        with pytest.raises(TargetsNotMet):
            mondrian(table, qi, k, hierarchies=HIER)
        return
    out, rep = mondrian(table, qi, k, hierarchies=HIER)
    # row count and order preserved, nothing suppressed, non-QI columns untouched
    assert out.num_rows == n == rep.rows_out == rep.rows_in and rep.suppressed == 0
    assert out.column("id").to_pylist() == list(range(n))
    # every class of the released table, grouped afresh, has >= k records
    codes = [out.column(q).to_pylist() for q in qi]
    sizes: dict[tuple[object, ...], int] = {}
    for row in zip(*codes, strict=True):
        sizes[row] = sizes.get(row, 0) + 1
    assert min(sizes.values()) >= k
    assert measure(out, qi).k >= k and rep.after.k >= k
    assert rep.classes == len(sizes)
    # every cell is true of its record
    src = table.to_pylist()
    for q in qi:
        for cell, row in zip(out.column(q).to_pylist(), src, strict=True):
            assert _covers(cell, row[q], q), (q, cell, row[q])
    # same loss definitions as the lattice: NCP from the cells, DM and C_AVG from the classes
    assert rep.ncp == pytest.approx(_independent_ncp(table, out, qi))
    assert rep.discernibility == sum(s * s for s in sizes.values())
    assert rep.average_class_size == pytest.approx(n / (len(sizes) * k))
    assert 0.0 <= rep.ncp <= 1.0


def test_partition_is_vectorised_over_many_rows() -> None:
    """50,000 rows with few repeats: all partitions between k and the split limit."""
    rng = np.random.default_rng(3)
    n = 50_000
    t = pa.table(
        {
            "age": rng.integers(0, 100, n),
            "sex": rng.choice(np.array(["남", "여"], dtype=object), n),
            "addr": rng.choice(np.array(SIDO, dtype=object), n),
        }
    )
    out, rep = mondrian(t, ["age", "sex", "addr"], 5, hierarchies=HIER)
    assert rep.after.k >= 5 and out.num_rows == n
    assert rep.ncp < 0.5


# ------------------------------------------------------------------------------ API and CLI


def _csv(tmp_path: Path, n: int = 60) -> Path:
    rng = np.random.default_rng(3)
    t = pa.table(
        {
            "나이": [str(a) for a in rng.integers(20, 80, n)],
            "성별": list(rng.choice(["남", "여"], n)),
            "주소": list(rng.choice(SIDO, n)),
            "진단": list(rng.choice(["감기", "독감", "당뇨"], n)),
        }
    )
    path = tmp_path / "t.csv"
    pacsv.write_csv(t, path)
    return path


def test_fix_dispatches_and_refuses_l_and_t_for_mondrian() -> None:
    t = pa.table({"age": list(range(20)), "dx": ["a", "b"] * 10})
    out, rep = fix(t, ["age"], Targets(k=4), method="mondrian")
    assert isinstance(rep, MondrianReport) and rep.after.k >= 4 and out.num_rows == 20
    out, rep = fix(t, ["age"], Targets(k=4))  # default: the lattice
    assert isinstance(rep, AnonymizationReport) and rep.after.k >= 4 and out.num_rows == 20
    with pytest.raises(ValueError, match="k only"):
        fix(t, ["age"], Targets(k=4, l=2, sensitive=("dx",)), method="mondrian")
    with pytest.raises(ValueError, match="method must be"):
        fix(t, ["age"], Targets(k=4), method="other")  # type: ignore[arg-type]


def test_cli_method_mondrian_writes_table_and_report(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    out = tmp_path / "out.csv"
    args = [str(path), "--qi", "나이,성별,주소", "--sensitive", "진단", "--k", "5"]
    res = CliRunner().invoke(app, [*args, "--method", "mondrian", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    rep = orjson.loads(res.output)["report"]
    assert rep["method"] == "mondrian" and rep["suppressed"] == 0
    assert rep["modes"] == {"나이": "numeric", "성별": "sex", "주소": "address"}
    written = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    assert written.num_rows == rep["rows_out"] == 60
    assert measure(written, ["나이", "성별", "주소"]).k >= 5 and rep["after"]["k"] >= 5
    assert rep["after"]["l_distinct"] is not None  # sensitive figures reported, not targeted
    res = CliRunner().invoke(app, [*args, "--method", "mondrian", "-o", str(out)])
    assert res.exit_code == 0 and "Mondrian local recoding (k=5)" in res.output
    assert "NCP" in res.output
    res = CliRunner().invoke(app, [*args, "--l", "2", "--method", "mondrian", "-o", str(out)])
    assert res.exit_code == 2 and "k only" in res.output
    res = CliRunner().invoke(app, [*args, "--method", "nope", "-o", str(out)])
    assert res.exit_code == 2
    res = CliRunner().invoke(
        app, [str(path), "--qi", "나이", "--k", "100", "--method", "mondrian", "-o", str(out)]
    )
    assert res.exit_code == 1  # fewer rows than k: not reachable
