"""Measure re-identification risk and generalise a table until it meets privacy targets.

``measure(table, qi, sensitive)`` reports k, l, t, uniqueness and the prosecutor / journalist /
marketer risks (definitions and citations in :mod:`jikimi.risk.metrics`).
``anonymize(table, qi, k, l, t, max_suppression)`` finds the full-domain generalisation with the
least information loss that meets the targets (:mod:`jikimi.risk.lattice`), suppresses the
classes that still miss them within the budget, *re-measures the output* and returns it with a
report. ``enforce(table, qi, targets)`` is the same with the targets as one object, for the
``protect`` pipeline: it never returns a table that misses a target — it raises
:class:`TargetsNotMet`. ``fix(table, qi, targets, method=...)`` is the CLI's entry point: the
lattice (``flash``, default) or Mondrian's local recoding (``mondrian``, k only; see
:mod:`jikimi.risk.mondrian`).

Suppressed records are removed from the output table and counted in the report
(``suppressed``, ``suppressed_rows``): ``rows_out + suppressed == rows_in`` always holds.
Why remove rather than write ``*`` in every QI: a block of all-``*`` rows is one more class,
often below k, and it would make the released table fail the very check it was built to pass.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from jikimi.risk import metrics as M
from jikimi.risk._groups import (
    FloatArray,
    IntArray,
    combine,
    encode,
    encode_all,
    encode_codes_all,
    group_sizes,
)
from jikimi.risk.hierarchies import (
    AppliedHierarchy,
    HierarchySpec,
    apply_hierarchy,
    builtin,
    resolve,
)
from jikimi.risk.lattice import Node, best_nodes, search
from jikimi.risk.loss import average_class_size, discernibility, ncp, ncp_penalties
from jikimi.risk.mondrian import MondrianReport, mondrian
from jikimi.risk.suggest import hierarchy_for

LModel = Literal["distinct", "entropy"]
Method = Literal["flash", "mondrian"]
METHODS: tuple[Method, ...] = ("flash", "mondrian")
_EPS = 1e-9


class TargetsNotMet(ValueError):
    """The targets cannot be met within the suppression budget (or were missed by the output)."""


@dataclass(frozen=True)
class Targets:
    """What a released table must achieve.

    ``k``: minimum class size; ``l``: minimum l-diversity of every sensitive attribute
    (``l_model`` ``distinct`` or ``entropy``); ``t``: maximum t-closeness (EMD);
    ``max_suppression``: largest share of records that may be removed to get there.
    ``hierarchies`` maps a QI to a built-in hierarchy name, a :class:`Hierarchy` or a CSV path;
    QIs not listed get one from :func:`jikimi.risk.suggest.hierarchy_for`.
    """

    k: int = 2
    l: float | None = None
    t: float | None = None
    max_suppression: float = 0.0
    sensitive: tuple[str, ...] = ()
    l_model: LModel = "distinct"
    hierarchies: Mapping[str, HierarchySpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise ValueError("k must be an int >= 1")
        if self.l is not None and self.l < 1:
            raise ValueError("l must be >= 1")
        if self.t is not None and not 0.0 <= self.t <= 1.0:
            raise ValueError("t must be in [0, 1]")
        if not 0.0 <= self.max_suppression <= 1.0:
            raise ValueError("max_suppression must be in [0, 1]")
        if (self.l is not None or self.t is not None) and not self.sensitive:
            raise ValueError("l and t targets need at least one sensitive attribute")
        if self.l_model not in ("distinct", "entropy"):
            raise ValueError("l_model must be 'distinct' or 'entropy'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "l": self.l,
            "l_model": self.l_model,
            "t": self.t,
            "max_suppression": self.max_suppression,
            "sensitive": list(self.sensitive),
        }


# ----------------------------------------------------------------------------------- measure


@dataclass
class RiskReport:
    """Risk figures of one table (see :mod:`jikimi.risk.metrics` for each definition)."""

    rows: int
    qi: list[str]
    sensitive: list[str]
    classes: int
    k: int
    k_target: int
    below_k_share: float
    uniqueness: float
    l_distinct: int | None
    l_entropy: float | None
    t: float | None
    per_attribute: dict[str, dict[str, float]]
    prosecutor_max: float
    prosecutor_avg: float
    journalist_max: float
    journalist_at_risk: float
    marketer: float
    population: str
    discernibility: float
    average_class_size: float

    def meets(self, targets: Targets) -> bool:
        """Whether this table meets ``targets`` (suppression aside)."""
        if self.rows and self.k < targets.k:
            return False
        if targets.l is not None and self.rows:
            got = self.l_distinct if targets.l_model == "distinct" else self.l_entropy
            if got is None or got + _EPS < targets.l:
                return False
        return not (
            targets.t is not None and self.rows and (self.t is None or self.t > targets.t + _EPS)
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Sensitive:
    name: str
    codes: IntArray
    card: int
    ordered: bool


def _sensitive(table: pa.Table, name: str, ordered: bool | None) -> _Sensitive:
    col = table.column(name)
    codes, values = encode(col)
    if ordered is None:
        ordered = (
            pa.types.is_integer(col.type)
            or pa.types.is_floating(col.type)
            or (pa.types.is_decimal(col.type))
        )
    if ordered:
        # rank the distinct values ascending (null last) so codes are positions in order
        order = sorted(range(len(values)), key=lambda i: _order_key(values[i]))
        rank = np.empty(len(values), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(values), dtype=np.int64)
        codes = rank[codes]
    return _Sensitive(name, codes, len(values), bool(ordered))


def _order_key(value: Any) -> tuple[int, float, str]:
    """Ascending numeric order; text that reads as a number (CSV cells) sorts as that number,
    other text after all numbers, null last."""
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, (int, float)):
        return (0, float(value), "")
    try:
        return (0, float(str(value).replace(",", "")), "")
    except ValueError:
        return (1, 0.0, str(value))


@dataclass
class _ClassFigures:
    sizes: IntArray
    l_distinct: dict[str, IntArray]
    l_entropy: dict[str, FloatArray]
    t: dict[str, FloatArray]


def _class_figures(
    cid: IntArray,
    n_classes: int,
    weights: IntArray | None,
    sens: Sequence[_Sensitive],
    sa_codes: Sequence[IntArray],
    dists: Sequence[FloatArray],
    want: tuple[bool, bool, bool] = (True, True, True),
) -> _ClassFigures:
    """Per-class sizes, l (distinct, entropy) and t for every sensitive attribute."""
    sizes = M.class_sizes(cid, n_classes, weights)
    figs = _ClassFigures(sizes, {}, {}, {})
    for s, codes, p in zip(sens, sa_codes, dists, strict=True):
        pcl, pval, pcnt = M.sensitive_pairs(cid, codes, s.card, weights)
        if want[0]:
            figs.l_distinct[s.name] = M.distinct_l(pcl, n_classes)
        if want[1]:
            figs.l_entropy[s.name] = M.entropy_l(pcl, pcnt, sizes)
        if want[2]:
            fn = M.t_ordered if s.ordered else M.t_equal
            figs.t[s.name] = fn(pcl, pval, pcnt, sizes, p)
    return figs


def _check_columns(table: pa.Table, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in table.column_names]
    if missing:
        raise ValueError(f"{what} column(s) not in the table: {', '.join(missing)}")


def _population_sizes(
    table: pa.Table, population: pa.Table, qi: Sequence[str], cid: IntArray, n_classes: int
) -> IntArray:
    """``F_j`` for every sample class: the population rows with the same QI values."""
    _check_columns(population, qi, "population QI")
    codes, cards = [], []
    for q in qi:
        joint = pa.chunked_array(
            table.column(q).cast(pa.string()).chunks
            + population.column(q).cast(pa.string()).chunks,
            type=pa.string(),
        )
        c, vals = encode(joint)
        codes.append(c)
        cards.append(len(vals))
    ids, total = combine(codes, cards)
    n = table.num_rows
    f = np.bincount(ids[:n], minlength=total)
    big_f = np.bincount(ids[n:], minlength=total)
    # sample class j ↔ joint id: any row of the class gives it
    first = np.full(n_classes, -1, dtype=np.int64)
    first[cid[::-1]] = np.arange(n, dtype=np.int64)[::-1]
    joint_of_class = ids[:n][first]
    pop = big_f[joint_of_class]
    if (pop < f[joint_of_class]).any():
        raise ValueError(
            "the population table must contain the sample: some QI combination is more "
            "frequent in the sample than in the population"
        )
    out: IntArray = pop.astype(np.int64)
    return out


def measure(
    table: pa.Table,
    qi: Sequence[str],
    sensitive: Sequence[str] = (),
    *,
    k_target: int = 5,
    population: pa.Table | None = None,
    ordered: Mapping[str, bool] | None = None,
) -> RiskReport:
    """Risk figures of ``table`` on quasi-identifiers ``qi`` (see module doc).

    ``k_target`` sets the threshold of "below k" / "records at risk" (risk > 1/k_target).
    ``population``: a table with the same QI columns standing for the population the attacker
    looks people up in (journalist and marketer risk); without it the table itself is taken
    as the population and journalist risk equals prosecutor risk. ``ordered`` forces a
    sensitive attribute to be treated as numeric (ordered EMD) or categorical; by default
    numeric Arrow types are ordered, text is categorical.
    """
    qi = list(qi)
    sensitive = list(sensitive)
    if not qi:
        raise ValueError("at least one quasi-identifier is needed")
    _check_columns(table, qi, "QI")
    _check_columns(table, sensitive, "sensitive")
    n = table.num_rows
    encoded = encode_codes_all([table.column(q) for q in qi])
    codes = [c for c, _ in encoded]
    cards = [card for _, card in encoded]
    sens = [_sensitive(table, s, (ordered or {}).get(s)) for s in sensitive]
    dists = [M.global_distribution(s.codes, s.card) for s in sens]
    cid, n_classes = np.zeros(0, dtype=np.int64), 0
    if not sens and population is None:
        # k-only: every figure below depends on the class sizes alone, and those come from
        # sorting the combined keys without numbering the classes (see ``group_sizes``)
        sizes = group_sizes(codes, cards) if n else np.zeros(0, dtype=np.int64)
        figs = _ClassFigures(sizes, {}, {}, {})
    else:
        if n:
            cid, n_classes = combine(codes, cards)
        figs = _class_figures(cid, n_classes, None, sens, [s.codes for s in sens], dists)
    sizes = figs.sizes
    if population is not None and n:
        pop = _population_sizes(table, population, qi, cid, n_classes)
        pop_note = f"population table ({population.num_rows} rows)"
    else:
        pop = sizes
        pop_note = "sample = population (the table itself; journalist = prosecutor risk)"
    per: dict[str, dict[str, float]] = {}
    for s in sens:
        per[s.name] = {
            "l_distinct": float(figs.l_distinct[s.name].min()) if n else 0.0,
            "l_entropy": float(figs.l_entropy[s.name].min()) if n else 0.0,
            "t": float(figs.t[s.name].max()) if n else 0.0,
            "ordered": float(s.ordered),
        }
    pmax, pavg = M.prosecutor_risk(sizes)
    below = M.below_k_share(sizes, k_target)
    if pop is sizes:
        # sample = population: journalist risk is prosecutor risk and marketer risk is J/n
        # (metrics module doc) — the same floats, without two more passes over a million
        # classes (~25 ms of a k-only measure)
        jmax, jrisk, marketer = pmax, below, pavg
    else:
        jmax, jrisk = M.journalist_risk(sizes, pop, k_target)
        marketer = M.marketer_risk(sizes, pop)
    k = M.k_anonymity(sizes)
    return RiskReport(
        rows=n,
        qi=qi,
        sensitive=sensitive,
        classes=int((sizes > 0).sum()),
        k=k,
        k_target=k_target,
        below_k_share=below,
        uniqueness=M.uniqueness(sizes),
        l_distinct=int(min(v["l_distinct"] for v in per.values())) if per else None,
        l_entropy=min(v["l_entropy"] for v in per.values()) if per else None,
        t=max(v["t"] for v in per.values()) if per else None,
        per_attribute=per,
        prosecutor_max=pmax,
        prosecutor_avg=pavg,
        journalist_max=jmax,
        journalist_at_risk=jrisk,
        marketer=marketer,
        population=pop_note,
        discernibility=discernibility(sizes, 0, n),
        average_class_size=average_class_size(sizes, k),
    )


# --------------------------------------------------------------------------------- anonymize


@dataclass
class _NodeEval:
    ok: bool
    suppressed: int
    ncp: float
    discernibility: float


@dataclass
class AnonymizationReport:
    """What :func:`anonymize` did and achieved (``after`` is measured on the output table)."""

    targets: Targets
    hierarchies: dict[str, str]
    levels: dict[str, str]
    node: list[int]
    rows_in: int
    rows_out: int
    suppressed: int
    suppressed_share: float
    ncp: float
    discernibility: float
    average_class_size: float
    before: RiskReport
    after: RiskReport
    nodes_total: int
    nodes_evaluated: int
    minimal_nodes: int
    seconds: float
    suppressed_rows: npt.NDArray[np.int64] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (the suppressed row numbers are left out: only their count)."""
        out = {k: v for k, v in self.__dict__.items() if k != "suppressed_rows"}
        out["targets"] = self.targets.to_dict()
        out["before"] = self.before.to_dict()
        out["after"] = self.after.to_dict()
        return out


@dataclass
class _Snapshot:
    """The class table of an evaluated node: QI codes at the node's levels and size of each
    class, and per sensitive attribute the (class, value, count) pairs."""

    node: Node
    codes: list[IntArray]
    weights: IntArray
    pairs: list[tuple[IntArray, IntArray, FloatArray]]


class _Problem:
    """A table prepared for the lattice search: the distinct (QI…, sensitive…) combinations
    with their counts ("bottom table"), hierarchies applied to each QI's distinct values."""

    def __init__(
        self,
        table: pa.Table,
        qi: Sequence[str],
        targets: Targets,
        ordered: Mapping[str, bool] | None,
    ) -> None:
        self.table = table
        self.qi = list(qi)
        self.targets = targets
        self.n = int(table.num_rows)
        self.applied: list[AppliedHierarchy] = []
        self.penalties: list[list[FloatArray]] = []
        qcodes: list[IntArray] = []
        for q, (codes, values) in zip(
            self.qi, encode_all([table.column(q) for q in self.qi]), strict=True
        ):
            spec = targets.hierarchies.get(q)
            h = resolve(spec) if spec is not None else builtin(hierarchy_for(q, values[:1000]))
            applied = apply_hierarchy(h, values)
            self.applied.append(applied)
            self.penalties.append(ncp_penalties(applied))
            qcodes.append(codes)
        # sensitive attributes matter to the search only for l and t targets
        self.need_sa = targets.l is not None or targets.t is not None
        self.sens = [
            _sensitive(table, s, (ordered or {}).get(s))
            for s in (targets.sensitive if self.need_sa else ())
        ]
        self.dists = [M.global_distribution(s.codes, s.card) for s in self.sens]
        all_codes = qcodes + [s.codes for s in self.sens]
        all_cards = [len(a.maps[0]) for a in self.applied] + [s.card for s in self.sens]
        self.row_bottom, nb = combine(all_codes, all_cards)
        first = np.full(nb, -1, dtype=np.int64)
        first[self.row_bottom[::-1]] = np.arange(self.n, dtype=np.int64)[::-1]
        self.weights = np.bincount(self.row_bottom, minlength=nb).astype(np.int64)
        self.bottom_qi = [c[first] for c in qcodes]
        self.bottom_sa = [s.codes[first] for s in self.sens]
        self.budget = math.floor(targets.max_suppression * self.n + _EPS)
        self.cache: dict[Node, _NodeEval] = {}
        # per QI and level: total NCP of all records at that level (for the lower bound)
        self.level_sums = [
            [float((p[lvl][b] * self.weights).sum()) for lvl in range(len(p))]
            for p, b in zip(self.penalties, self.bottom_qi, strict=True)
        ]
        # NCP of a generalised value depends only on its label: penalty per level-L code
        self.label_penalty: list[list[FloatArray]] = []
        for a in self.applied:
            distinct = max(len(a.maps[0]), 1)
            per = []
            for m, labels in zip(a.maps, a.labels, strict=True):
                cover = np.bincount(m, minlength=len(labels)).astype(np.float64)
                per.append(np.where(cover > 1, cover / distinct, 0.0))
            self.label_penalty.append(per)
        self._ups: dict[tuple[int, int, int], IntArray] = {}
        self._proj: dict[tuple[int, int, int, int], int | None] = {}
        self.rejected = 0
        nb_rows = np.arange(len(self.weights), dtype=np.int64)
        self.snapshots: list[_Snapshot] = [
            _Snapshot(
                tuple(0 for _ in self.qi),
                self.bottom_qi,
                self.weights,
                [(nb_rows, sa, self.weights.astype(np.float64)) for sa in self.bottom_sa],
            )
        ]

    def lower_bound(self, node: Node) -> float:
        """NCP of ``node`` with nothing suppressed: a lower bound of its real NCP."""
        if not self.n or not self.qi:
            return 0.0
        total = sum(s[lvl] for s, lvl in zip(self.level_sums, node, strict=True))
        return float(total) / (self.n * len(self.qi))

    def loss(self, node: Node) -> float | None:
        """NCP of ``node`` if it passes (evaluating it when needed), else None."""
        if node not in self.cache:
            self.evaluate(node)
        ev = self.cache[node]
        return ev.ncp if ev.ok else None

    @property
    def heights(self) -> list[int]:
        return [a.height for a in self.applied]

    def classes(self, node: Node) -> tuple[IntArray, int]:
        """Class key of every bottom row at ``node`` and the key space.

        Keys are mixed-radix numbers of the generalised codes, used as class ids directly
        while the space is small (most nodes: generalised codes have few values) — empty ids
        are harmless, every figure ignores classes of size 0 — and compressed otherwise.
        """
        codes = [
            a.maps[lvl][b] for a, lvl, b in zip(self.applied, node, self.bottom_qi, strict=True)
        ]
        cards = [len(a.labels[lvl]) for a, lvl in zip(self.applied, node, strict=True)]
        space = 1
        for c in cards:
            space *= max(c, 1)
        if space <= max(4 * len(self.weights), 1 << 20):
            key = codes[0].copy()
            for col, card in zip(codes[1:], cards[1:], strict=True):
                key *= max(card, 1)
                key += col
            return key, space
        return combine(codes, cards)

    def failing(
        self,
        cid: IntArray,
        n_classes: int,
        weights: IntArray | None,
        sa_codes: Sequence[IntArray],
        dists: Sequence[FloatArray],
    ) -> tuple[npt.NDArray[np.bool_], IntArray]:
        """Classes that miss a target, and the class sizes (from row-level class ids)."""
        sizes = M.class_sizes(cid, n_classes, weights)
        pairs = []
        if self.targets.l is not None or self.targets.t is not None:
            pairs = [
                M.sensitive_pairs(cid, codes, s.card, weights)
                for s, codes in zip(self.sens, sa_codes, strict=True)
            ]
        return self.fail_from_pairs(sizes, pairs, dists), sizes

    def fail_from_pairs(
        self,
        sizes: IntArray,
        pairs: Sequence[tuple[IntArray, IntArray, FloatArray]],
        dists: Sequence[FloatArray],
    ) -> npt.NDArray[np.bool_]:
        """Classes that miss a target, given their sizes and (class, value, count) pairs."""
        tg = self.targets
        fail = sizes < tg.k
        n_classes = len(sizes)
        if tg.l is not None or tg.t is not None:
            for s, (pcl, pval, pcnt), p in zip(self.sens, pairs, dists, strict=True):
                if tg.l is not None:
                    if tg.l_model == "distinct":
                        fail |= M.distinct_l(pcl, n_classes) + _EPS < tg.l
                    else:
                        fail |= M.entropy_l(pcl, pcnt, sizes) + _EPS < tg.l
                if tg.t is not None:
                    fn = M.t_ordered if s.ordered else M.t_equal
                    fail |= fn(pcl, pval, pcnt, sizes, p) > tg.t + _EPS
        out: npt.NDArray[np.bool_] = fail & (sizes > 0)
        return out

    def _up(self, i: int, lo: int, hi: int) -> IntArray:
        """Level-``lo`` code → level-``hi`` code of QI ``i`` (hierarchies are trees)."""
        key = (i, lo, hi)
        got = self._ups.get(key)
        if got is None:
            a = self.applied[i]
            got = np.zeros(len(a.labels[lo]), dtype=np.int64)
            got[a.maps[lo]] = a.maps[hi]
            self._ups[key] = got
        return got

    def _projection_fails(self, node: Node) -> bool:
        """Whether some one- or two-QI projection of ``node`` already misses k.

        The projection keeps QIs i and j at the node's levels and generalises the others to
        ``*``: a node *above* ``node``. Records in its classes smaller than k are in classes
        smaller than k at ``node`` too, so if the projection needs more suppression than the
        budget, so does ``node`` — whatever the l and t targets. Projections are counted
        with ``bincount`` over at most a few thousand label pairs, which costs far less than
        grouping the bottom table, and they reject most of the failing nodes low in the
        lattice (a raw address or birth date alone already has too many rare values).
        """
        width = len(node)
        for i in range(width):
            for j in range(i, width):
                key = (i, node[i], j, node[j])
                got = self._proj.get(key)
                if got is None:
                    got = self._projection_suppressed(i, node[i], j, node[j])
                    self._proj[key] = got
                if got is not None and got > self.budget:
                    return True
        return False

    def _projection_suppressed(self, i: int, li: int, j: int, lj: int) -> int | None:
        ai, aj = self.applied[i], self.applied[j]
        ci = ai.maps[li][self.bottom_qi[i]]
        if i == j:
            counts = np.bincount(ci, weights=self.weights, minlength=len(ai.labels[li]))
        else:
            space = len(ai.labels[li]) * len(aj.labels[lj])
            if space > 4 * len(self.weights) + 1024:
                return None  # too many pairs to count densely: no cheap verdict
            key = ci * len(aj.labels[lj]) + aj.maps[lj][self.bottom_qi[j]]
            counts = np.bincount(key, weights=self.weights, minlength=space)
        return int(counts[(counts > 0) & (counts < self.targets.k)].sum())

    def evaluate(self, node: Node) -> bool:
        """Evaluate ``node`` by rolling up the smallest stored class table below it.

        ARX's idea: a node's classes are unions of the classes of any node below it, so once a
        node with few classes is known, every node above it is computed from that small table
        instead of the million-row bottom table. A node that a one- or two-QI projection
        already rejects is not grouped at all (:meth:`_projection_fails`).
        """
        if self.targets.k > 1 and self._projection_fails(node):
            self.cache[node] = _NodeEval(False, self.budget + 1, float("inf"), float("inf"))
            self.rejected += 1
            return False
        src = min(
            (
                sn
                for sn in self.snapshots
                if all(a <= b for a, b in zip(sn.node, node, strict=True))
            ),
            key=lambda sn: len(sn.weights),
        )
        codes = [
            c if lo == hi else self._up(i, lo, hi)[c]
            for i, (c, lo, hi) in enumerate(zip(src.codes, src.node, node, strict=True))
        ]
        cards = [len(a.labels[lvl]) for a, lvl in zip(self.applied, node, strict=True)]
        cid, n_classes = combine(codes, cards)
        sizes = M.class_sizes(cid, n_classes, src.weights)
        pairs = [
            M.sensitive_pairs(cid[prow], pval, s.card, pcnt)  # type: ignore[arg-type]
            for s, (prow, pval, pcnt) in zip(self.sens, src.pairs, strict=True)
        ]
        fail = self.fail_from_pairs(sizes, pairs, self.dists)
        suppressed = int(sizes[fail].sum())
        pen = np.zeros(len(cid), dtype=np.float64)
        for i, (c, lvl) in enumerate(zip(codes, node, strict=True)):
            pen += self.label_penalty[i][lvl][c]
        kept = ~fail[cid]
        d = len(self.qi)
        live = sizes[~fail]
        res = _NodeEval(
            suppressed <= self.budget,
            suppressed,
            (float((pen * src.weights)[kept].sum()) + suppressed * d) / (self.n * d)
            if self.n
            else 0.0,
            discernibility(live[live > 0], suppressed, self.n),
        )
        self.cache[node] = res
        if n_classes * 2 <= len(src.weights):
            first = np.full(n_classes, -1, dtype=np.int64)
            first[cid[::-1]] = np.arange(len(cid), dtype=np.int64)[::-1]
            self._store(
                _Snapshot(
                    node,
                    [c[first] for c in codes],
                    sizes,
                    [(pcl, pval, pcnt) for pcl, pval, pcnt in pairs],
                )
            )
        return res.ok

    def _store(self, snap: _Snapshot) -> None:
        """Keep the snapshot; past the row budget drop the largest (never the bottom)."""
        self.snapshots.append(snap)
        budget = 4 * len(self.weights) + 1024
        while sum(len(s.weights) for s in self.snapshots[1:]) > budget and len(self.snapshots) > 2:
            big = max(range(1, len(self.snapshots)), key=lambda j: len(self.snapshots[j].weights))
            del self.snapshots[big]

    def release(self, node: Node) -> tuple[pa.Table, npt.NDArray[np.bool_]] | None:
        """The output table at ``node`` and the kept-row mask, or None if, after re-measuring
        on the kept rows (t-closeness compares with the *released* distribution), the
        suppression needed exceeds the budget."""
        cid_b, n_classes = self.classes(node)
        row_cid = cid_b[self.row_bottom]
        keep = np.ones(self.n, dtype=bool)
        for _ in range(20):
            w = keep.astype(np.int64)
            sa = [s.codes for s in self.sens]
            dists = [M.global_distribution(s.codes, s.card, w) for s in self.sens]
            fail, _sizes = self.failing(row_cid, n_classes, w, sa, dists)
            newly = fail[row_cid] & keep
            if not newly.any():
                break
            keep &= ~fail[row_cid]
            if int((~keep).sum()) > self.budget:
                return None
        else:  # pragma: no cover - t that never settles
            return None
        if int((~keep).sum()) > self.budget:
            return None
        out = self.table.filter(pa.array(keep))
        for i, (q, a, lvl) in enumerate(zip(self.qi, self.applied, node, strict=True)):
            if lvl == 0:
                continue
            codes = a.maps[lvl][self.bottom_qi[i]][self.row_bottom][keep]
            labels = pa.array(a.labels[lvl], type=pa.string())
            col = labels.take(pa.array(codes))
            out = out.set_column(out.column_names.index(q), q, col)
        return out, keep


def anonymize(
    table: pa.Table,
    qi: Sequence[str],
    k: int,
    l: float | None = None,
    t: float | None = None,
    max_suppression: float = 0.0,
    *,
    sensitive: Sequence[str] = (),
    l_model: LModel = "distinct",
    hierarchies: Mapping[str, HierarchySpec] | None = None,
    ordered: Mapping[str, bool] | None = None,
    population: pa.Table | None = None,
) -> tuple[pa.Table, AnonymizationReport]:
    """The least-loss generalisation of ``table`` meeting k (and l, t) within the suppression
    budget, and its report; raises :class:`TargetsNotMet` when there is none."""
    targets = Targets(
        k=k,
        l=l,
        t=t,
        max_suppression=max_suppression,
        sensitive=tuple(sensitive),
        l_model=l_model,
        hierarchies=dict(hierarchies or {}),
    )
    return enforce(table, qi, targets, ordered=ordered, population=population)


def enforce(
    table: pa.Table,
    qi: Sequence[str],
    targets: Targets,
    *,
    ordered: Mapping[str, bool] | None = None,
    population: pa.Table | None = None,
) -> tuple[pa.Table, AnonymizationReport]:
    """Generalise and suppress ``table`` until it meets ``targets``; see module doc.

    Returns ``(released table, report)``; raises :class:`TargetsNotMet` (a ``ValueError``)
    with the reason when no generalisation within ``targets.max_suppression`` meets them, and
    ``ValueError`` for unknown columns or bad targets. The report's ``after`` figures are
    measured on the released table itself.
    """
    started = time.perf_counter()
    qi = list(qi)
    if not qi:
        raise ValueError("at least one quasi-identifier is needed")
    _check_columns(table, qi, "QI")
    _check_columns(table, targets.sensitive, "sensitive")
    overlap = set(qi) & set(targets.sensitive)
    if overlap:
        raise ValueError(f"column(s) both QI and sensitive: {', '.join(sorted(overlap))}")
    sens = list(targets.sensitive)
    before = measure(table, qi, sens, k_target=targets.k, population=population, ordered=ordered)
    prob = _Problem(table, qi, targets, ordered)
    n = table.num_rows
    if n == 0:
        found = search(prob.heights, lambda node: True)
    else:
        found = search(prob.heights, prob.evaluate)
    if not found.minimal:
        raise TargetsNotMet(_why_not(prob, targets))
    if n:
        ranked = [
            nd for _, nd in best_nodes(prob.heights, found.minimal, prob.lower_bound, prob.loss)
        ]
    else:
        ranked = list(found.minimal)
    for node in ranked:
        released = prob.release(node) if n else (table, np.ones(0, dtype=bool))
        if released is None:
            continue
        out, keep = released
        after = measure(out, qi, sens, k_target=targets.k, ordered=ordered)
        if not after.meets(targets):  # pragma: no cover - release() already re-measured
            continue
        suppressed = int((~keep).sum())
        ev = prob.cache.get(node)
        sizes = _released_sizes(out, qi)
        return out, AnonymizationReport(
            targets=targets,
            hierarchies={q: a.hierarchy.name for q, a in zip(qi, prob.applied, strict=True)},
            levels={
                q: a.hierarchy.level_names[lvl]
                for q, a, lvl in zip(qi, prob.applied, node, strict=True)
            },
            node=list(node),
            rows_in=n,
            rows_out=out.num_rows,
            suppressed=suppressed,
            suppressed_share=suppressed / n if n else 0.0,
            ncp=_release_ncp(prob, node, keep) if n else 0.0,
            discernibility=discernibility(sizes, suppressed, n),
            average_class_size=average_class_size(sizes, targets.k),
            before=before,
            after=after,
            nodes_total=found.total,
            nodes_evaluated=len(prob.cache),
            minimal_nodes=len(found.minimal),
            seconds=time.perf_counter() - started,
            suppressed_rows=np.flatnonzero(~keep).astype(np.int64),
        ) if ev is not None or not n else _unreachable()
    raise TargetsNotMet(
        f"no generalisation meets {_targets_text(targets)} once the released table is "
        f"re-measured (t-closeness against the released distribution needs more than "
        f"{targets.max_suppression:.1%} suppression)"
    )


def fix(
    table: pa.Table,
    qi: Sequence[str],
    targets: Targets,
    *,
    method: Method = "flash",
    ordered: Mapping[str, bool] | None = None,
    population: pa.Table | None = None,
) -> tuple[pa.Table, AnonymizationReport | MondrianReport]:
    """What ``jikimi risk --k … -o OUT`` runs: :func:`enforce` (``flash``, the default: one
    generalisation level per column, l and t targets, suppression) or
    :func:`jikimi.risk.mondrian.mondrian` (``mondrian``: local recoding, k only, no
    suppression). Why Flash is the default is measured in ``docs/design.md``.

    Mondrian refuses l and t targets rather than ignore them: its cuts only keep k.
    """
    if method == "flash":
        return enforce(table, qi, targets, ordered=ordered, population=population)
    if method != "mondrian":
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if targets.l is not None or targets.t is not None:
        raise ValueError("the mondrian method meets k only; use the flash method for l and t")
    return mondrian(
        table,
        qi,
        targets.k,
        hierarchies=targets.hierarchies,
        sensitive=targets.sensitive,
        ordered=ordered,
        population=population,
    )


def _unreachable() -> Any:  # pragma: no cover
    raise AssertionError("minimal node was not evaluated")


def _released_sizes(out: pa.Table, qi: Sequence[str]) -> IntArray:
    if out.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    codes, cards = [], []
    for q in qi:
        c, vals = encode(out.column(q))
        codes.append(c)
        cards.append(len(vals))
    cid, nc = combine(codes, cards)
    return M.class_sizes(cid, nc)


def _release_ncp(prob: _Problem, node: Node, keep: npt.NDArray[np.bool_]) -> float:
    pen = np.zeros(prob.n, dtype=np.float64)
    for p, lvl, b in zip(prob.penalties, node, prob.bottom_qi, strict=True):
        pen += p[lvl][b][prob.row_bottom]
    return ncp(pen, np.ones(prob.n, dtype=np.int64), keep, len(prob.qi))


def _targets_text(t: Targets) -> str:
    parts = [f"k={t.k}"]
    if t.l is not None:
        parts.append(f"{t.l_model} l={t.l:g}")
    if t.t is not None:
        parts.append(f"t={t.t:g}")
    return ", ".join(parts)


def _why_not(prob: _Problem, targets: Targets) -> str:
    top = tuple(prob.heights)
    ev = prob.cache.get(top)
    need = (
        f" (even with every QI fully generalised, {ev.suppressed} of {prob.n} records "
        f"would have to be suppressed)"
        if ev is not None
        else ""
    )
    return (
        f"no generalisation meets {_targets_text(targets)} with at most "
        f"{targets.max_suppression:.1%} of records suppressed{need}"
    )
