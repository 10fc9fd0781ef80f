"""jikimi.risk gives the same figures as pyCANON on the same (generated) tables."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

pd = pytest.importorskip("pandas")
pycanon = pytest.importorskip("pycanon")
from pycanon import anonymity as A
from pycanon.metrics import _reidentification_metrics as R
from pycanon.metrics import _utility_metrics as U

from jikimi.risk import anonymize, measure
from jikimi.risk.metrics import floor_entropy_l

QI = ["age", "sex", "zip"]


def _table(seed: int, n: int, ages: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(20, 20 + ages, n),
            "sex": rng.choice(["남", "여"], n),
            "zip": rng.choice(["06", "13", "48"], n, p=[0.5, 0.3, 0.2]),
            "dx": rng.choice(["감기", "독감", "당뇨", "암"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "income": rng.integers(1, 40, n),
        }
    )


@pytest.mark.parametrize(
    ("seed", "n", "ages"), [(1, 300, 3), (2, 500, 6), (3, 120, 2), (4, 60, 20)]
)
def test_same_figures_as_pycanon(seed: int, n: int, ages: int) -> None:
    df = _table(seed, n, ages)
    r = measure(pa.Table.from_pandas(df, preserve_index=False), QI, ["dx", "income"])
    assert r.k == A.k_anonymity(df, QI)
    assert r.per_attribute["dx"]["l_distinct"] == A.l_diversity(df, QI, ["dx"])
    assert r.l_distinct == A.l_diversity(df, QI, ["dx", "income"])
    assert floor_entropy_l(r.per_attribute["dx"]["l_entropy"]) == A.entropy_l_diversity(
        df, QI, ["dx"]
    )
    assert r.per_attribute["dx"]["t"] == pytest.approx(A.t_closeness(df, QI, ["dx"]), abs=1e-9)
    assert r.per_attribute["income"]["t"] == pytest.approx(
        A.t_closeness(df, QI, ["income"]), abs=1e-9
    )
    assert r.t == pytest.approx(A.t_closeness(df, QI, ["dx", "income"]), abs=1e-9)
    assert r.prosecutor_max == pytest.approx(R.max_rir(df, QI))
    assert r.discernibility == U.discernability_metric(df, df, QI)


def test_anonymized_output_checked_by_pycanon() -> None:
    df = _table(5, 400, 30)
    table = pa.Table.from_pandas(df, preserve_index=False)
    out, rep = anonymize(table, QI, k=5, l=2, sensitive=["dx"], max_suppression=0.05)
    odf = out.to_pandas()
    assert A.k_anonymity(odf, QI) >= 5
    assert A.l_diversity(odf, QI, ["dx"]) >= 2
    assert rep.after.k == A.k_anonymity(odf, QI)
    assert rep.discernibility == U.discernability_metric(df, odf, QI)
    assert len(odf) + rep.suppressed == len(df)
