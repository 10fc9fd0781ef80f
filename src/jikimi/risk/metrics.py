"""Privacy-model and re-identification-risk figures, computed per equivalence class.

An *equivalence class* is the set of records that share one combination of quasi-identifier
(QI) values; ``f_j`` is its size in the released table (the *sample*) and ``F_j`` the size of
the matching class in the *population* the attacker could look people up in. Every function
here takes dense class ids (see :mod:`jikimi.risk._groups`) and returns per-class arrays or
scalars, so the lattice search can also ask *which* classes fail, not only whether the table
does. Figures match pyCANON's definitions on the same data (``tests/test_risk_pycanon.py``).

Definitions (n = number of records, J = number of classes):

* **k-anonymity** (Sweeney 2002, "k-anonymity: a model for protecting privacy", IJUFKS 10(5)):
  ``k = min_j f_j``; the share of records in classes with ``f_j < k_target`` is what a k
  target would have to suppress or generalise away.
* **distinct l-diversity** (Machanavajjhala et al. 2007, "l-Diversity: Privacy Beyond
  k-Anonymity", ACM TKDD 1(1)): ``l = min_j`` (distinct sensitive values in class j).
* **entropy l-diversity** (same paper): ``l = min_j exp(H_j)``, ``H_j = -Σ_s p_{j,s} ln p_{j,s}``.
  pyCANON reports ``int()`` of this figure; we keep the real number.
* **t-closeness** (Li, Li, Venkatasubramanian 2007, "t-Closeness: Privacy Beyond k-Anonymity
  and l-Diversity", ICDE): ``t = max_j EMD(Q_j, P)`` with P the distribution of the sensitive
  attribute over the whole table. Numeric (ordered) attributes use the ordered distance:
  ``EMD = 1/(m-1) Σ_{i=1}^{m} |Σ_{v≤i} (q_v - p_v)|`` over the m distinct values in order;
  categorical ones the equal distance: ``EMD = ½ Σ_v |q_v - p_v|``.
* **uniqueness**: share of records alone in their class (``f_j = 1``, sample uniques).
* **prosecutor risk** (El Emam & Dankar 2008, "Protecting Privacy Using k-Anonymity", JAMIA
  15(5); El Emam 2013, *Guide to the De-Identification of Personal Health Information*, ch. 14):
  the attacker knows the target is in the table, so a record's risk is ``1/f_j``;
  *highest* ``= 1/min f_j = 1/k``, *average* ``= J/n``, *records at risk* = share with
  ``1/f_j > 1/k_target``.
* **journalist risk** (same sources): the attacker does not know whether the target is in the
  table and matches against the population, so a record's risk is ``1/F_j``; *highest*
  ``= 1/min F_j`` over classes present in the sample, *records at risk* = share with
  ``F_j < k_target``. **Without a population table we take the released table itself as the
  population (``F_j = f_j``)**: journalist risk then equals prosecutor risk, an upper bound.
* **marketer risk** (Dankar & El Emam 2010, "A Method for Evaluating Marketer Re-identification
  Risk", EDBT/ICDT workshops): expected share of records re-identified when the attacker
  matches everyone: ``(1/n) Σ_j f_j / F_j`` — ``J/n`` when sample = population.
"""

from __future__ import annotations

import math

import numpy as np

from jikimi.risk._groups import FloatArray, IntArray


def class_sizes(ids: IntArray, n_classes: int, weights: IntArray | None = None) -> IntArray:
    """``f_j`` for every class (``weights`` = rows each entry stands for, default 1)."""
    if weights is None:
        return np.bincount(ids, minlength=n_classes).astype(np.int64)
    return np.bincount(ids, weights=weights, minlength=n_classes).round().astype(np.int64)


def k_anonymity(sizes: IntArray) -> int:
    """``min_j f_j`` over non-empty classes (0 for an empty table)."""
    live = sizes[sizes > 0]
    return int(live.min()) if live.size else 0


def below_k_share(sizes: IntArray, k: int) -> float:
    """Share of records in classes smaller than ``k`` (= prosecutor records at risk)."""
    total = int(sizes.sum())
    return float(sizes[sizes < k].sum()) / total if total else 0.0


def uniqueness(sizes: IntArray) -> float:
    """Share of records that are unique on the QIs (``f_j = 1``)."""
    total = int(sizes.sum())
    return float((sizes == 1).sum()) / total if total else 0.0


def sensitive_pairs(
    ids: IntArray, sa: IntArray, card: int, weights: IntArray | None = None
) -> tuple[IntArray, IntArray, FloatArray]:
    """``(class, value, count)`` of every (class, sensitive value) pair that occurs, sorted by
    class then value code — the one table l- and t- figures are computed from."""
    card = max(card, 1)
    key = ids * card + sa
    space = (int(ids.max()) + 1) * card if ids.size else 0
    if space <= max(1 << 24, 4 * ids.size):
        counts = np.bincount(key, weights=weights, minlength=space).astype(np.float64)
        nz = np.flatnonzero(counts)
        return nz // card, nz % card, counts[nz]
    uniq, inv = np.unique(key, return_inverse=True)
    cnt = np.bincount(inv.reshape(-1), weights=weights, minlength=len(uniq)).astype(np.float64)
    return uniq // card, uniq % card, cnt


def distinct_l(pair_class: IntArray, n_classes: int) -> IntArray:
    """Distinct sensitive values per class."""
    return np.bincount(pair_class, minlength=n_classes).astype(np.int64)


def entropy_l(pair_class: IntArray, pair_count: FloatArray, sizes: IntArray) -> FloatArray:
    """``exp(H_j)`` per class (natural log, as in Machanavajjhala et al. and pyCANON)."""
    p = pair_count / sizes[pair_class]
    h = -np.bincount(pair_class, weights=p * np.log(p), minlength=len(sizes))
    out: FloatArray = np.exp(h)
    return out


def global_distribution(sa: IntArray, card: int, weights: IntArray | None = None) -> FloatArray:
    """``P``: share of each sensitive value code over all records."""
    counts = np.bincount(sa, weights=weights, minlength=card).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


def t_equal(
    pair_class: IntArray,
    pair_value: IntArray,
    pair_count: FloatArray,
    sizes: IntArray,
    p: FloatArray,
) -> FloatArray:
    """Equal-distance EMD per class: ``½ Σ_v |q_v - p_v|`` (values absent from a class
    contribute ``p_v``, hence ``½ (Σ_present (|q_v-p_v| - p_v) + 1)``)."""
    q = pair_count / sizes[pair_class]
    pv = p[pair_value]
    part = np.bincount(pair_class, weights=np.abs(q - pv) - pv, minlength=len(sizes))
    out: FloatArray = 0.5 * (part + 1.0)
    out[sizes == 0] = 0.0
    return out


def t_ordered(
    pair_class: IntArray,
    pair_rank: IntArray,
    pair_count: FloatArray,
    sizes: IntArray,
    p: FloatArray,
) -> FloatArray:
    """Ordered-distance EMD per class, without a class × value matrix.

    ``pair_rank`` is the value's position in ascending order (``p`` indexed the same way) and
    pairs come sorted by (class, rank). Between two consecutive values present in a class the
    class's cumulative share ``Q`` is constant, so ``Σ_i |Q - P_i|`` over that run of the
    global cumulative ``P`` splits at ``searchsorted(P, Q)`` into two prefix-sum differences.
    """
    m = len(p)
    n_classes = len(sizes)
    if m <= 1 or pair_class.size == 0:
        return np.zeros(n_classes, dtype=np.float64)
    cum_p = np.cumsum(p)
    pre = np.concatenate(([0.0], np.cumsum(cum_p)))  # pre[i] = Σ_{j<i} P_j
    q = pair_count / sizes[pair_class]
    cum_all = np.cumsum(q)
    first = np.ones(len(pair_class), dtype=bool)
    first[1:] = pair_class[1:] != pair_class[:-1]
    starts = np.flatnonzero(first)
    offset = np.repeat(cum_all[starts] - q[starts], np.diff(np.append(starts, len(q))))
    big_q = cum_all - offset  # cumulative share of the class up to and including this value
    last = np.ones(len(pair_class), dtype=bool)
    last[:-1] = pair_class[1:] != pair_class[:-1]
    a = pair_rank
    b = np.where(last, m, np.roll(pair_rank, -1))
    idx = np.clip(np.searchsorted(cum_p, big_q, side="left"), a, b)
    run = big_q * (idx - a) - (pre[idx] - pre[a]) + (pre[b] - pre[idx]) - big_q * (b - idx)
    head = np.where(first, pre[a], 0.0)  # before the class's first value: Q = 0
    total = np.bincount(pair_class, weights=run + head, minlength=n_classes)
    out: FloatArray = total / (m - 1)
    return out


def prosecutor_risk(sizes: IntArray) -> tuple[float, float]:
    """``(highest, average)`` = ``(1/min f_j, J/n)``."""
    live = sizes[sizes > 0]
    if not live.size:
        return 0.0, 0.0
    return 1.0 / float(live.min()), float(live.size) / float(live.sum())


def journalist_risk(sizes: IntArray, pop_sizes: IntArray, k_target: int) -> tuple[float, float]:
    """``(highest, records at risk)`` = ``(1/min F_j, share of records with F_j < k_target)``."""
    live = sizes > 0
    if not live.any():
        return 0.0, 0.0
    pop = pop_sizes[live]
    f = sizes[live]
    return 1.0 / float(pop.min()), float(f[pop < k_target].sum()) / float(f.sum())


def marketer_risk(sizes: IntArray, pop_sizes: IntArray) -> float:
    """``(1/n) Σ_j f_j / F_j``."""
    live = sizes > 0
    total = float(sizes[live].sum())
    if not total:
        return 0.0
    return float((sizes[live] / pop_sizes[live]).sum()) / total


def floor_entropy_l(value: float) -> int:
    """pyCANON's integer entropy l (``int(exp(H))``), tolerant of ``exp(ln 2) = 1.999…``."""
    return math.floor(value + 1e-9)
