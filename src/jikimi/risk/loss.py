"""Information loss of a generalised (and partly suppressed) table.

Two measures, reported next to the risk figures so a reviewer sees what the protection cost:

* **Normalised certainty penalty** (NCP; Xu, Wang, Pei, Wang, Shi, Fu 2006, "Utility-Based
  Anonymization Using Local Recoding", KDD; also ARX's "Loss"): a value generalised to a label
  that covers ``c`` of the attribute's ``|A|`` distinct values costs ``c/|A|`` (0 when the label
  is still a single value). The table's NCP is the mean over records and QIs, so 0 = untouched
  and 1 = everything ``*``; a suppressed record costs 1 on every QI. Coverage is counted on the
  data (distinct values that map to the label), which works the same for every hierarchy,
  Korean address trees and user CSV files alike. The lattice search minimises this figure.
* **Discernibility** (DM; Bayardo & Agrawal 2005, "Data Privacy through Optimal
  k-Anonymization", ICDE): ``Σ_j f_j² + (suppressed records) × n`` — each record is charged the
  size of the class it hides in, a suppressed one the whole table (pyCANON's
  ``discernability_metric``).
* **Average class size** (C_AVG; LeFevre, DeWitt, Ramakrishnan 2006, "Mondrian
  Multidimensional k-Anonymity", ICDE): ``(n - suppressed) / (J · k)``; 1 is ideal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from jikimi.risk._groups import FloatArray, IntArray
from jikimi.risk.hierarchies import AppliedHierarchy


def ncp_penalties(applied: AppliedHierarchy) -> list[FloatArray]:
    """Per level, the NCP of each *original* value code when generalised to that level."""
    distinct = len(applied.maps[0])
    out: list[FloatArray] = []
    for m in applied.maps:
        if distinct == 0:
            out.append(np.zeros(0, dtype=np.float64))
            continue
        cover = np.bincount(m, minlength=int(m.max()) + 1)[m].astype(np.float64)
        out.append(np.where(cover > 1, cover / distinct, 0.0))
    return out


def ncp(
    row_penalty_sum: FloatArray, weights: IntArray, keep: npt.NDArray[np.bool_], n_qi: int
) -> float:
    """Table NCP: mean over records and QIs; suppressed records (``~keep``) cost 1 per QI."""
    total = float(weights.sum())
    if not total or not n_qi:
        return 0.0
    kept = float((row_penalty_sum * weights)[keep].sum())
    suppressed = float(weights[~keep].sum())
    return (kept + suppressed * n_qi) / (total * n_qi)


def discernibility(sizes: IntArray, suppressed: int, n: int) -> float:
    """``Σ f_j² + suppressed · n`` over the released classes (``sizes``)."""
    return float((sizes.astype(np.float64) ** 2).sum()) + float(suppressed) * float(n)


def average_class_size(sizes: IntArray, k: int) -> float:
    """C_AVG = records / (classes · k) over the released classes."""
    live = sizes[sizes > 0]
    if not live.size or k <= 0:
        return 0.0
    return float(live.sum()) / (live.size * k)
