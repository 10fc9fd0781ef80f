"""Hand-computed figures for every risk metric, loss measure and hierarchy (jikimi.risk)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from jikimi.risk import measure
from jikimi.risk import metrics as M
from jikimi.risk._groups import (
    _is_long_text,
    _plain,
    combine,
    encode,
    encode_codes,
    group_sizes,
)
from jikimi.risk.hierarchies import BUILTIN, apply_hierarchy, from_csv, from_rows
from jikimi.risk.lattice import best_nodes, search
from jikimi.risk.loss import average_class_size, discernibility, ncp_penalties

# Three classes on (age, zip):
#   A = (30, 1): dx flu, flu, cold   income 1, 2, 3
#   B = (40, 1): dx flu, hiv         income 3, 4
#   C = (40, 2): dx cold             income 5
TABLE = pa.table(
    {
        "age": [30, 30, 30, 40, 40, 40],
        "zip": ["1", "1", "1", "1", "1", "2"],
        "dx": ["flu", "flu", "cold", "flu", "hiv", "cold"],
        "income": [1, 2, 3, 3, 4, 5],
    }
)
QI = ["age", "zip"]


def test_k_uniqueness_and_below_k() -> None:
    r = measure(TABLE, QI, k_target=3)
    assert (r.rows, r.classes, r.k) == (6, 3, 1)
    assert r.below_k_share == pytest.approx(3 / 6)  # B (2) and C (1) are below 3
    assert measure(TABLE, QI, k_target=2).below_k_share == pytest.approx(1 / 6)
    assert r.uniqueness == pytest.approx(1 / 6)


def test_distinct_and_entropy_l() -> None:
    r = measure(TABLE, QI, ["dx"])
    assert r.l_distinct == 1  # C has one diagnosis
    assert r.l_entropy == pytest.approx(1.0)
    # without C: A has H = -(2/3 ln 2/3 + 1/3 ln 1/3) -> exp(H) = 1.8899, B has exp(ln 2) = 2
    r2 = measure(TABLE.slice(0, 5), QI, ["dx"])
    assert r2.l_distinct == 2
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert r2.l_entropy == pytest.approx(math.exp(h))


def test_t_closeness_categorical_equal_distance() -> None:
    # P = flu 1/2, cold 1/3, hiv 1/6.  A: ½(1/6 + 0 + 1/6) = 1/6;  B: ½(0 + 1/3 + 1/3) = 1/3;
    # C: ½(1/2 + 2/3 + 1/6) = 2/3
    r = measure(TABLE, QI, ["dx"])
    assert r.t == pytest.approx(2 / 3)


def test_t_closeness_numeric_ordered_distance() -> None:
    # P over 1..5 = [1,1,2,1,1]/6, m = 5.  A: cum r = 1/6, 2/6, 2/6, 1/6, 0 -> 1/4;
    # B: cum r = -1/6, -2/6, -1/6, 1/6, 0 -> 5/24;  C: -1/6, -2/6, -4/6, -5/6, 0 -> 1/2
    r = measure(TABLE, QI, ["income"])
    assert r.per_attribute["income"]["ordered"] == 1.0
    assert r.t == pytest.approx(0.5)
    r_ab = measure(TABLE.slice(0, 5), QI, ["income"])  # P over 1..4 = [1,1,2,1]/5, m = 4
    # A: q=[1/3,1/3,1/3,0] r=[2/15,2/15,-1/15,-1/5] cum=2/15,4/15,3/15,0 -> (9/15)/3 = 1/5
    # B: q=[0,0,1/2,1/2] r=[-1/5,-1/5,1/10,3/10] cum=-1/5,-2/5,-3/10,0 -> (9/10)/3 = 3/10
    assert r_ab.t == pytest.approx(3 / 10)


def test_text_numbers_sort_as_numbers_when_ordered() -> None:
    t = pa.table({"q": ["a", "a", "b", "b"], "v": ["9", "10", "9", "10"]})
    # ordered by number: each class holds both values -> identical to P -> t = 0
    assert measure(t, ["q"], ["v"], ordered={"v": True}).t == pytest.approx(0.0)


def test_prosecutor_journalist_marketer_sample_is_population() -> None:
    r = measure(TABLE, QI, k_target=2)
    assert r.prosecutor_max == 1.0
    assert r.prosecutor_avg == pytest.approx(3 / 6)  # J / n
    assert r.journalist_max == r.prosecutor_max  # sample = population
    assert r.journalist_at_risk == pytest.approx(1 / 6)
    assert r.marketer == pytest.approx(0.5)
    assert "sample = population" in r.population


def test_journalist_and_marketer_with_population() -> None:
    extra = pa.table({"age": [30, 30, 40, 40, 40], "zip": ["1", "1", "2", "2", "2"]})
    pop = pa.concat_tables([TABLE.select(QI), extra])  # F_A = 5, F_B = 2, F_C = 4
    r = measure(TABLE, QI, k_target=3, population=pop)
    assert r.journalist_max == pytest.approx(1 / 2)
    assert r.journalist_at_risk == pytest.approx(2 / 6)  # only B has F < 3
    assert r.marketer == pytest.approx((3 / 5 + 2 / 2 + 1 / 4) / 6)
    assert r.prosecutor_max == 1.0  # unaffected by the population


def test_population_must_contain_the_sample() -> None:
    with pytest.raises(ValueError, match="must contain the sample"):
        measure(TABLE, QI, population=TABLE.select(QI).slice(0, 2))


def test_discernibility_and_average_class_size() -> None:
    r = measure(TABLE, QI)
    assert r.discernibility == 9 + 4 + 1
    assert r.average_class_size == pytest.approx(6 / (3 * 1))
    sizes = np.array([3, 2], dtype=np.int64)
    assert discernibility(sizes, 1, 6) == 9 + 4 + 6
    assert average_class_size(sizes, 2) == pytest.approx(5 / (2 * 2))


def test_ncp_penalties_by_hand() -> None:
    applied = apply_hierarchy(BUILTIN["age"], [23, 27, 31])
    pens = ncp_penalties(applied)
    assert list(pens[0]) == [0.0, 0.0, 0.0]  # raw
    assert list(pens[1]) == [0.0, 0.0, 0.0]  # 20-24, 25-29, 30-34: single values
    assert list(pens[2]) == pytest.approx([2 / 3, 2 / 3, 0.0])  # 20-29 covers 2 of 3
    assert list(pens[4]) == [1.0, 1.0, 1.0]  # *


def test_k_only_path_matches_the_class_id_path() -> None:
    """``measure`` without sensitive attributes takes the sort-only path (no class ids); its
    figures must be those of the class-id path, with nulls, dictionary columns and a key space
    too large for one int64 (the fallback through ``combine``)."""
    rng = np.random.default_rng(5)
    n = 3000
    table = pa.table(
        {
            "a": pa.array(rng.integers(0, 40, n)),
            "b": pa.array(rng.choice(np.array(["x", "y", None], dtype=object), n)),
            "c": pa.array(
                rng.choice(np.array(["p", "q", "r"], dtype=object), n)
            ).dictionary_encode(),
            "s": pa.array(rng.integers(0, 3, n)),
        }
    )
    for qi in (["a"], ["a", "b"], ["a", "b", "c"]):
        fast = measure(table, qi).to_dict()
        slow = measure(table, qi, ["s"]).to_dict()
        for key in ("sensitive", "l_distinct", "l_entropy", "t", "per_attribute"):
            fast.pop(key)
            slow.pop(key)
        assert fast == slow
    # without a population table ``measure`` takes journalist and marketer risk from the
    # prosecutor figures: they must be the very same floats as the general functions give
    for _ in range(20):
        sizes = rng.integers(0, 9, int(rng.integers(1, 2000))).astype(np.int64)
        sizes[0] = max(int(sizes[0]), 1)
        kt = int(rng.integers(1, 8))
        pmax, pavg = M.prosecutor_risk(sizes)
        assert M.journalist_risk(sizes, sizes, kt) == (pmax, M.below_k_share(sizes, kt))
        assert M.marketer_risk(sizes, sizes) == pavg
    codes = [rng.integers(0, 1 << 20, 500) for _ in range(4)]  # 2**80 keys: combine fallback
    ids, count = combine(codes, [1 << 20] * 4)
    assert sorted(group_sizes(codes, [1 << 20] * 4)) == sorted(np.bincount(ids, minlength=count))
    small = [rng.integers(0, 3, 500), rng.integers(0, 4, 500)]
    ids, count = combine(small, [3, 4])
    assert list(group_sizes(small, [3, 4])) == list(np.bincount(ids, minlength=count))
    assert len(group_sizes([np.zeros(0, dtype=np.int64)], [1])) == 0


def test_long_text_codes_group_like_dictionary_encoding() -> None:
    """Long text goes through Acero's grouper (``encode_codes``): the same groups as
    ``dictionary_encode``, nulls one group, for plain, chunked and dictionary columns."""
    values = [f"서울특별시 강남구 역삼동 {i % 37}" if i % 11 else None for i in range(5000)]
    chunked = pa.chunked_array([values[:2000], values[2000:]])
    for col in (pa.array(values), chunked, pa.array(values).dictionary_encode()):
        assert _is_long_text(_plain(col))
        codes, card = encode_codes(col)
        ref, distinct = encode(col)
        pairs = set(zip(codes.tolist(), ref.tolist(), strict=True))
        assert card == len(distinct) == 38 == len(pairs) == len({c for c, _ in pairs})
    codes, card = encode_codes(pa.array([], type=pa.string()))
    assert card == 0 and len(codes) == 0
    assert not _is_long_text(pa.array(["남", "여"] * 100))  # short text: dictionary_encode


def test_empty_and_missing_columns() -> None:
    assert measure(TABLE.slice(0, 0), QI).k == 0
    with pytest.raises(ValueError, match="not in the table"):
        measure(TABLE, ["nope"])


# -------------------------------------------------------------------------- hierarchies


@pytest.mark.parametrize(
    ("name", "value", "labels"),
    [
        (
            "address",
            "경기도 성남시 분당구 정자동 178-1",
            ["경기도 성남시 분당구 정자동", "경기도 성남시 분당구", "경기도", "*"],
        ),
        (
            "address",
            "부산 해운대구 우동 1408",
            ["부산광역시 해운대구 우동", "부산광역시 해운대구", "부산광역시", "*"],
        ),
        (
            "address",
            "서울특별시 종로구 세종대로 209",
            ["서울특별시 종로구", "서울특별시 종로구", "서울특별시", "*"],
        ),
        ("address", "어딘가", ["*", "*", "*", "*"]),
        ("postal_code", "06236", ["062", "06", "*"]),
        ("age", "37", ["35-39", "30-39", "20-39", "*"]),
        ("age", "37세", ["35-39", "30-39", "20-39", "*"]),
        ("birth_date", "1987-03-05", ["1987-03", "1987", "1980s", "*"]),
        ("date", "2024-05-17", ["2024-05", "2024-Q2", "2024", "*"]),
        ("date_week", "2024-12-30", ["2025-W01", "2025", "*"]),
        ("sex", "남", ["*"]),
        ("occupation", "간호사", ["2 전문가 및 관련 종사자", "*"]),
        ("occupation", "8731", ["8 장치·기계 조작 및 조립 종사자", "*"]),
        ("occupation", "무직", ["*", "*"]),
    ],
)
def test_builtin_hierarchy_levels(name: str, value: str, labels: list[str]) -> None:
    assert BUILTIN[name].labels(value) == labels


def test_every_sido_generalises_to_itself() -> None:
    from jikimi.detect.addresses import load_admin_regions

    rows = load_admin_regions()
    sidos = {r.sido_full for r in rows}
    assert len(sidos) == 17
    values = [f"{r.sido_full} {r.sigungu}".strip() for r in rows if r.status != "former"]
    applied = apply_hierarchy(BUILTIN["address"], values)  # also checks the tree property
    assert set(applied.labels[3]) == sidos
    assert applied.labels[4] == ["*"]


def test_user_hierarchy_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "dept.csv"
    path.write_text("내과;의료;*\n외과;의료;*\n원무과;행정;*\n", "utf-8")
    h = from_csv(path)
    assert h.level_names == ("raw", "L1", "L2")
    applied = apply_hierarchy(h, ["외과", "원무과"])
    assert applied.labels[1] == ["의료", "행정"]
    with pytest.raises(ValueError, match="does not list 1 value"):
        apply_hierarchy(h, ["외과", "소아과"])


def test_user_hierarchy_must_be_a_tree() -> None:
    with pytest.raises(ValueError, match="not a tree"):
        from_rows([["a", "x", "p"], ["b", "x", "q"]])
    h = from_rows([["a", "x"], ["b", "y"]])  # adds the * level
    assert h.labels("a") == ["x", "*"]


# ------------------------------------------------------------------------------ lattice


def test_lattice_finds_minimal_nodes() -> None:
    res = search([2, 3], lambda n: n[0] >= 1 and sum(n) >= 3)
    assert sorted(res.minimal) == [(1, 2), (2, 1)]
    assert res.evaluated < res.total


def test_best_nodes_looks_above_the_minimal_ones() -> None:
    # loss with suppression is not monotone: (1, 1) is minimal but (2, 1) is cheaper
    losses = {(1, 1): 0.9, (2, 1): 0.5, (1, 2): 0.95, (2, 2): 1.0}
    ranked = best_nodes([2, 2], [(1, 1)], lambda n: 0.1 * sum(n), lambda n: losses.get(n))
    assert ranked[0] == (0.5, (2, 1))
