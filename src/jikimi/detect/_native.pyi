"""Type stubs of the native scan core (C sources in ``detect/_native/``; see native.py)."""

from collections.abc import Sequence
from typing import Any

from jikimi.detect.finding import Finding

ENTITIES: tuple[str, ...]
RECOGNIZERS: tuple[str, ...]
NEGATIVE_BIT: int

def configure(cfg: dict[str, Any], /) -> None: ...
def find_structured(text: str, /) -> list[tuple[str, int, int, float, str]]: ...
def find_persons(text: str, /) -> list[tuple[str, int, int, float, str]]: ...
def find_addresses(text: str, /) -> list[tuple[str, int, int, float, str]]: ...
def scan_many(
    texts: Sequence[str],
    min_score: float,
    mask: int,
    fields: Sequence[str | None] | None = None,
    /,
) -> list[list[Finding]]: ...
def scan_json(
    ids: list[str | int], texts: list[str], fields: list[str], min_score: float, mask: int, /
) -> tuple[bytes, list[tuple[str, str, int, int, int, int]], int] | None: ...
def findings_json(findings: Sequence[Finding], /) -> bytes: ...
