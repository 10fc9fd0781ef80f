"""The scan engine: run the recognizers over a text and resolve overlapping findings.

Overlaps are resolved deterministically so that the same text always gives the same findings,
whatever order recognizers run in: the longest span wins, then the higher score, then the entity
type's priority (checksum-backed types first), then the earlier start.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from jikimi.detect import native
from jikimi.detect.context import RECORD_SEPARATOR
from jikimi.detect.finding import Finding
from jikimi.detect.registry import Recognizer
from jikimi.entities import ENTITY_TYPES, resolve_entities

DEFAULT_MIN_SCORE = 0.5
"""Findings scoring below this are dropped. Shape-only matches without context score below it."""


_PRIORITY = {name: e.priority for name, e in ENTITY_TYPES.items()}


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep a non-overlapping subset, preferring longest, then highest score, then priority."""
    by_start = sorted(findings, key=lambda f: (f.start, f.end))
    # fast path: most records hold a few findings that do not touch each other
    if all(a.end <= b.start for a, b in pairwise(by_start)):
        return by_start
    ranked = sorted(
        by_start, key=lambda f: (f.start - f.end, -f.score, -_PRIORITY[f.entity_type], f.start)
    )
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


class Scanner:
    """A configured scanner. Build once, call :meth:`scan` many times (it holds no state per text)."""

    def __init__(
        self,
        *,
        entities: Iterable[str] | str | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        recognizers: Iterable[Recognizer] | None = None,
    ) -> None:
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {min_score}")
        self.entities = resolve_entities(entities)
        self.min_score = min_score
        self._native: Any = None
        self._mask = 0
        if recognizers is None:
            from jikimi.detect.recognizers import default_recognizers

            recognizers = default_recognizers()
            # the default set has a native twin (jikimi.detect.native): same findings, faster
            core = native.core()
            if core is not None:
                self._native = core
                self._mask = native.entity_mask(self.entities)
        # Every recognizer runs whatever the selection: look-alikes of other types (a CRN inside
        # an RRN-shaped number) must still suppress false positives, and scanning for a subset
        # of types then always yields exactly the subset of a full scan.
        self.recognizers = tuple(recognizers)

    def scan(self, text: str, *, field: str | None = None) -> list[Finding]:
        """Findings in ``text`` sorted by start; offsets are code points (Python indices)."""
        if not isinstance(text, str):
            raise TypeError(f"scan() needs str, got {type(text).__name__}")
        if not text:
            return []
        out: list[Finding]
        if self._native is not None:
            out = self._native.scan_many((text,), self.min_score, self._mask, (field,))[0]
            return out
        out = self._finish(self._raw(text))
        if field is not None:
            out = [f.with_field(field) for f in out]
        return out

    def scan_many(
        self, texts: Sequence[str], fields: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        """Scan many texts at once; the result equals ``[self.scan(t) for t in texts]``, or
        ``[self.scan(t, field=f) for t, f in zip(texts, fields)]`` when ``fields`` is given.

        Why: per-call overhead (one regex pass per recognizer per text) dominates on short
        records such as JSONL lines, so the texts are joined with a separator that no pattern
        matches and context windows do not cross, scanned in one go, and the findings are
        mapped back. A finding that would straddle two texts is impossible by construction and
        dropped defensively.
        """
        if not texts:
            return []
        if fields is not None and len(fields) != len(texts):
            raise ValueError("scan_many() needs one field per text")
        if self._native is not None:
            result: list[list[Finding]] = self._native.scan_many(
                texts, self.min_score, self._mask, fields
            )
            return result
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"scan_many() needs str items, got {type(t).__name__}")
        joined = RECORD_SEPARATOR.join(texts)
        starts: list[int] = []
        pos = 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + 1
        per: list[list[Finding]] = [[] for _ in texts]
        for f in self._raw(joined):
            i = bisect_right(starts, f.start) - 1
            base = starts[i]
            if f.end - base > len(texts[i]):
                continue
            per[i].append(
                Finding(f.entity_type, f.start - base, f.end - base, f.score, f.recognizer)
            )
        out = [self._finish(fs) if fs else fs for fs in per]
        if fields is not None:
            out = [[f.with_field(name) for f in fs] for fs, name in zip(out, fields)]
        return out

    def json_lines(
        self, ids: list[str | int], texts: list[str], fields: list[str]
    ) -> tuple[bytes, list[tuple[str, str, int, int, int, int]], int] | None:
        """``jikimi scan --json`` lines for one-field records, written by the native core without
        Finding objects: (the lines, per (field, type) in order of first appearance
        ``(field, type, count, first record, start, end)``, records with findings). None when
        the core is not in use or an id is neither str nor int: the caller formats
        :meth:`scan_many`'s findings instead (same bytes, slower)."""
        if self._native is None:
            return None
        out: tuple[bytes, list[tuple[str, str, int, int, int, int]], int] | None
        out = self._native.scan_json(ids, texts, fields, self.min_score, self._mask)
        return out

    def _raw(self, text: str) -> list[Finding]:
        raw: list[Finding] = []
        for rec in self.recognizers:
            raw.extend(rec.find(text))
        return raw

    def _finish(self, raw: list[Finding]) -> list[Finding]:
        # Resolve overlaps before filtering: a low-scoring but longer look-alike (a CRN, an order
        # number) must still be able to suppress the shorter identifier-shaped span inside it.
        resolved = resolve_overlaps(raw) if len(raw) > 1 else raw
        return [
            f for f in resolved if f.score >= self.min_score and f.entity_type in self.entities
        ]


_default: dict[tuple[frozenset[str], float], Scanner] = {}
_by_argument: dict[tuple[object, float], Scanner] = {}
"""Scanners by the caller's own ``entities`` argument (None, or a comma-separated string): the
common calls skip resolving the selection each time. Bounded: cleared past 256 entries."""


def scan(
    text: str,
    *,
    entities: Iterable[str] | str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Finding]:
    """Find Korean personal data in ``text``.

    >>> [f.entity_type for f in scan("연락처 010-4821-7390으로 주세요")]
    ['PHONE_NUMBER']
    """
    hashable = entities is None or type(entities) is str or type(entities) is frozenset
    scanner = _by_argument.get((entities, min_score)) if hashable else None
    if scanner is None:
        key = (resolve_entities(entities), min_score)
        scanner = _default.get(key)
        if scanner is None:
            scanner = _default[key] = Scanner(entities=key[0], min_score=min_score)
        if hashable:
            if len(_by_argument) >= 256:
                _by_argument.clear()
            _by_argument[(entities, min_score)] = scanner
    return scanner.scan(text)
