"""Search of the generalisation lattice for the minimal nodes that meet the privacy targets.

A *node* gives one hierarchy level per quasi-identifier (full-domain, global recoding: every
value of a column is generalised to the same level). Node A ≤ B when every level of A is ≤
B's. For k-anonymity and distinct l-diversity with a suppression budget the predicate "meets
the targets" is monotone — generalising only merges classes, so a class that was large (or
diverse) enough stays so and the suppressed share can only fall. The search exploits that the
way ARX's Flash does (Kohlmayer, Prasser, Eckert, Kemper, Kuhn 2012, "Flash: Efficient, Stable
and Optimal K-Anonymity", IEEE SocialCom/PASSAT):

* nodes are visited bottom-up by height; a node already implied by a result is skipped
  (*predictive tagging*: above a passing node everything passes, below a failing node
  everything fails);
* from an untagged node a path to the top is built greedily (raise the QI that is relatively
  least generalised) and binary-searched for its lowest passing node, so one walk tags large
  parts of the lattice with O(log height) evaluations.

Evaluating a node (:meth:`jikimi.risk.api._Problem.evaluate`) is itself pruned: a node whose
one- or two-QI projection already needs more suppression than allowed is rejected from a
``bincount`` of label pairs, and the others are computed by rolling up the smallest class table
stored for a node below them instead of the bottom table (ARX's snapshots). On the 1 M-row
benchmark about half the nodes the walk visits are rejected by projection.

When the walk is over every node is tagged and the passing nodes evaluated are exactly the
minimal passing nodes (an untagged minimal node cannot be implied by anything else). Because
information loss (NCP) only grows with generalisation *at equal suppression*, the optimum is
one of these; the caller picks it by measured loss. Entropy-l and t-closeness are not strictly
monotone (a merged class can fail where its parts passed) — the search is then a heuristic and
:mod:`jikimi.risk.api` re-measures the output and fails rather than release a table that misses
a target.

Why this search is the default and Mondrian (:mod:`jikimi.risk.mondrian`) an option: both are
implemented and measured on the same 1 M-row table (``bench/risk_bench.py``, figures in
docs/benchmarks.md, reasoning in docs/design.md). Mondrian's local recoding loses less
information and is not slower, but it releases partition-specific cells, so one column holds
``서울특별시`` next to ``{서울특별시 강남구,서울특별시 서초구}`` and overlapping age ranges;
this search releases one documented level per column, the same for every row, which a
manifest can state in one line and a PIPC adequacy review expects, and it meets l and t
targets, which Mondrian here does not. Both meet the < 60 s goal, so speed does not decide.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

Node = tuple[int, ...]


@dataclass
class SearchResult:
    """The minimal passing nodes and what it took to find them."""

    minimal: list[Node]
    evaluated: int
    total: int
    tagged: int = 0
    order: list[Node] = field(default_factory=list)


class _Tags:
    """Known results: minimal passing nodes and maximal failing nodes, as arrays for fast
    dominance checks."""

    def __init__(self, width: int) -> None:
        self.passing = np.zeros((0, width), dtype=np.int64)
        self.failing = np.zeros((0, width), dtype=np.int64)

    def status(self, node: Node) -> bool | None:
        v = np.asarray(node, dtype=np.int64)
        if self.passing.shape[0] and (self.passing <= v).all(axis=1).any():
            return True
        if self.failing.shape[0] and (self.failing >= v).all(axis=1).any():
            return False
        return None

    def add(self, node: Node, ok: bool) -> None:
        v = np.asarray(node, dtype=np.int64)[None, :]
        if ok:
            keep = ~(self.passing >= v).all(axis=1)  # drop passing nodes above this one
            self.passing = np.concatenate([self.passing[keep], v])
        else:
            keep = ~(self.failing <= v).all(axis=1)
            self.failing = np.concatenate([self.failing[keep], v])


def _path_up(node: Node, heights: Sequence[int]) -> list[Node]:
    """Greedy path from ``node`` to the top: raise the QI with the lowest relative level
    (ties: the one with more levels left), one step at a time."""
    cur = list(node)
    path = [tuple(cur)]
    while any(c < h for c, h in zip(cur, heights, strict=True)):
        best = min(
            (i for i, h in enumerate(heights) if cur[i] < h),
            key=lambda i: (cur[i] / heights[i], -(heights[i] - cur[i]), i),
        )
        cur[best] += 1
        path.append(tuple(cur))
    return path


def search(heights: Sequence[int], evaluate: Callable[[Node], bool]) -> SearchResult:
    """Find every minimal node satisfying ``evaluate`` (assumed monotone, see module doc).

    ``heights[i]`` is the number of generalisation steps of QI ``i`` (levels ``0..heights[i]``).
    ``evaluate`` is called at most once per node.
    """
    width = len(heights)
    nodes = sorted(itertools.product(*(range(h + 1) for h in heights)), key=lambda n: (sum(n), n))
    tags = _Tags(width)
    evaluated: list[Node] = []
    seen: set[Node] = set()

    def check(node: Node) -> bool:
        known = tags.status(node)
        if known is not None:
            return known
        ok = evaluate(node)
        seen.add(node)
        evaluated.append(node)
        tags.add(node, ok)
        return ok

    for node in nodes:
        if tags.status(node) is not None:
            continue
        path = _path_up(node, heights)
        lo, hi = 0, len(path)
        while lo < hi:
            mid = (lo + hi) // 2
            if check(path[mid]):
                hi = mid
            else:
                lo = mid + 1
        if tags.status(node) is None:  # pragma: no cover - binary search always settles node
            check(node)
    minimal = [tuple(int(x) for x in row) for row in tags.passing]
    minimal.sort(key=lambda n: (sum(n), n))
    return SearchResult(minimal, len(evaluated), len(nodes), len(nodes) - len(evaluated), evaluated)


def best_nodes(
    heights: Sequence[int],
    minimal: Sequence[Node],
    lower_bound: Callable[[Node], float],
    loss: Callable[[Node], float | None],
) -> list[tuple[float, Node]]:
    """Passing nodes by exact loss, lowest first, found by branch and bound.

    With suppression, loss is not monotone: a node above a minimal one may suppress fewer
    records and so lose less (age in 10-year bands with 30 outliers removed can cost more than
    20-year bands with none). Every node above a minimal node passes (monotone predicate), so
    the optimum is among them. ``lower_bound`` is the node's loss with nothing suppressed — a
    suppressed record costs the maximum, so the bound holds — and is cheap (a sum of
    per-level constants); a node is evaluated only while its bound is below the best loss
    found, which in practice is a handful of nodes beyond the minimal ones.
    ``loss`` returns ``None`` for a node that fails after all (non-monotone models).
    """
    if not minimal:
        return []
    mins = np.asarray(minimal, dtype=np.int64)
    scored: list[tuple[float, Node]] = []
    for node in minimal:
        value = loss(node)
        if value is not None:
            scored.append((value, node))
    best = min((s for s, _ in scored), default=float("inf"))
    done = set(minimal)
    candidates = []
    for node in itertools.product(*(range(h + 1) for h in heights)):
        if node in done or not (mins <= np.asarray(node)).all(axis=1).any():
            continue
        candidates.append((lower_bound(node), node))
    candidates.sort()
    for bound, node in candidates:
        if bound >= best:
            break
        value = loss(node)
        if value is not None:
            scored.append((value, node))
            best = min(best, value)
    scored.sort(key=lambda s: (s[0], sum(s[1]), s[1]))
    return scored
