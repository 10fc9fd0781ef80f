"""Column-level classification of tables by sampling.

A table column of bare 13-digit numbers carries no context words in any single cell, yet the
column as a whole is unmistakable: when most sampled cells fully match one entity type (with the
column header read as if it were a label in front of each cell), every cell of that column is
treated as that type. This is how DLP tools profile structured data, and it closes the gap that
per-cell scanning leaves for context-only types (accounts, health-insurance numbers, postcodes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jikimi.detect.engine import Scanner
from jikimi.detect.finding import Finding

MIN_SHARE = 0.6
"""Share of non-empty sampled cells that must fully match the winning type."""
SAMPLE_SIZE = 200
COLUMN_SCORE = 0.9
"""Score given to a cell whose value matches its column's type (column-level evidence)."""

_probe: Scanner | None = None


def _probe_scanner() -> Scanner:
    global _probe
    if _probe is None:
        _probe = Scanner(min_score=0.0)
    return _probe


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """What a column holds, as judged from a sample."""

    name: str
    entity_type: str | None
    share: float
    sampled: int


def whole_value_type(header: str, value: str, *, min_score: float = 0.2) -> Finding | None:
    """The finding that covers all of ``value`` when read as ``header: value``, if any."""
    value = value.strip()
    if not value:
        return None
    prefix = f"{header}: "
    text = prefix + value
    best: Finding | None = None
    for f in _probe_scanner().scan(text):
        whole = f.start == len(prefix) and f.end == len(text) and f.score >= min_score
        if whole and (best is None or f.score > best.score):
            best = f
    if best is None:
        return None
    return Finding(best.entity_type, 0, len(value), best.score, best.recognizer)


def classify_column(name: str, values: Iterable[str | None]) -> ColumnProfile:
    """Vote over up to :data:`SAMPLE_SIZE` non-empty values."""
    votes: Counter[str] = Counter()
    n = 0
    for val in values:
        if val is None or not str(val).strip():
            continue
        n += 1
        f = whole_value_type(name, str(val))
        if f is not None:
            votes[f.entity_type] += 1
        if n >= SAMPLE_SIZE:
            break
    if not votes or n == 0:
        return ColumnProfile(name, None, 0.0, n)
    etype, count = votes.most_common(1)[0]
    share = count / n
    return ColumnProfile(name, etype if share >= MIN_SHARE else None, share, n)


def classify_columns(columns: dict[str, Sequence[str | None]]) -> dict[str, ColumnProfile]:
    return {name: classify_column(name, vals) for name, vals in columns.items()}


def cell_finding(profile: ColumnProfile, value: str) -> Finding | None:
    """A column-typed cell's own finding, when the value fits the column's type.

    The whole (unstripped) cell is the span unless surrounding blanks exist, which are excluded.
    """
    if profile.entity_type is None:
        return None
    f = whole_value_type(profile.name, value, min_score=0.0)
    if f is None or f.entity_type != profile.entity_type:
        return None
    lead = len(value) - len(value.lstrip())
    return Finding(
        f.entity_type, lead, lead + f.end, max(f.score, COLUMN_SCORE), "column:" + f.recognizer
    )
