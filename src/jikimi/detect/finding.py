"""The result type of every recognizer and of :func:`jikimi.scan`.

A finding carries offsets, never the matched value: output that leaves the scanner (JSON lines,
logs, reports) must not copy personal data unless the user explicitly asks (``--show-values``).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Finding(NamedTuple):
    """A span ``text[start:end]`` (code-point offsets) judged to be ``entity_type``.

    ``score`` is in [0, 1]: roughly the probability that the span is the entity, after
    validators (checksums, calendar dates) and context words have been applied.

    A named tuple rather than a dataclass: recognizers create one per candidate, millions per
    corpus, and a tuple is built three times faster than a frozen dataclass while being just as
    immutable.
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str = ""
    field: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start

    def with_field(self, field: str | None) -> Finding:
        return self._replace(field=field)

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        """JSON-ready dict in the documented ``scan --json`` shape; ``text`` adds the value."""
        d: dict[str, Any] = {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "score": round(self.score, 3),
        }
        if text is not None:
            d["value"] = text[self.start : self.end]
        return d
