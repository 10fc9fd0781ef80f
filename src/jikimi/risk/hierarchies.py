"""Generalisation hierarchies for Korean quasi-identifiers, and user hierarchies from CSV.

A hierarchy turns each distinct value of a column into one label per level, level 0 being the
value itself and the last level ``*`` (the value suppressed). It is applied to the *distinct*
values only (tens of thousands, not the million rows) and the labels are then broadcast with
integer codes, so the Python here never runs per row.

Every hierarchy must be a tree: a label at one level determines its label at every coarser
level. That is what makes k-anonymity monotone over the generalisation lattice (merging classes
can only grow them), which the lattice search relies on to prune; :func:`apply_hierarchy`
checks it. This is also why dates have two hierarchies: ISO weeks straddle months, so
``day → week → month`` is not a tree; ``date`` is ``day → month → quarter → year → *`` and
``date_week`` is ``day → ISO week → ISO year → *``.

Built-in hierarchies (value-level steps reuse :func:`jikimi.transform.generalize.generalize`
and :func:`jikimi.transform.regions.parse_region`, which read the bundled 시/도 → 시/군/구
table through :mod:`jikimi.detect.addresses`):

| name | levels |
|---|---|
| ``address`` | raw → 읍/면/동 → 시/군/구 → 시/도 → ``*`` (전국) |
| ``postal_code`` | 5 digits → 3 → 2 → ``*`` |
| ``age`` | years → 5-year band → 10-year → 20-year → ``*`` |
| ``birth_date`` | raw → month → year → decade → ``*`` |
| ``date`` | raw → month → quarter → year → ``*`` |
| ``date_week`` | raw → ISO week → ISO year → ``*`` |
| ``sex`` | raw (남/여/M/F… kept as written) → ``*`` |
| ``occupation`` | raw → KSCO 대분류 (한국표준직업분류 major group) → ``*`` |
| ``suppress`` | raw → ``*`` (any other column) |

A value a level cannot read (no 시/도 in an address, no date) becomes ``*`` from that level up:
the search then sees it as maximally generalised rather than guessing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from jikimi.detect.addresses import sido_names
from jikimi.risk._groups import IntArray
from jikimi.transform._common import OperatorError
from jikimi.transform.dates import parse_date
from jikimi.transform.generalize import generalize
from jikimi.transform.regions import parse_region

STAR = "*"

Levels = Callable[[str], list[str]]
"""One value → its labels at levels 1..h (level 0, the value itself, is implicit)."""


@dataclass(frozen=True)
class Hierarchy:
    """A named generalisation hierarchy: ``level_names[0]`` is the raw value, the last is ``*``."""

    name: str
    level_names: tuple[str, ...]
    labels: Levels

    @property
    def height(self) -> int:
        """Number of generalisation steps above the raw value."""
        return len(self.level_names) - 1


@dataclass(frozen=True)
class AppliedHierarchy:
    """A hierarchy applied to one column's distinct values.

    ``maps[L][c]`` is the code at level L of the value with original code ``c``;
    ``labels[L]`` the label of each level-L code. ``maps[0]`` is the identity.
    """

    hierarchy: Hierarchy
    maps: list[IntArray]
    labels: list[list[Any]]

    @property
    def height(self) -> int:
        return len(self.maps) - 1


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _safe(fn: Callable[[str], list[str]], depth: int) -> Levels:
    """Wrap ``fn`` so an unreadable value yields ``*`` at every level."""

    def run(value: str) -> list[str]:
        try:
            out = fn(value)
        except (OperatorError, ValueError):
            return [STAR] * depth
        return out + [STAR] * (depth - len(out))

    return run


# --------------------------------------------------------------------------------- address

_DONG = re.compile(r"^[가-힣][가-힣0-9·.]*?(?:읍|면|동|가|리)$")
_REF_DONG = re.compile(r"\(\s*([가-힣0-9]+?(?:동|가))[\s,)]")


_TRAILING_NUMBERS = re.compile(r"(?:\s+[0-9][0-9-]*)+$")


def _address(value: str) -> list[str]:
    # the lot/building number never changes a label: cache on the address without it, so a
    # million addresses cost one parse per 읍/면/동
    return list(_address_labels(_TRAILING_NUMBERS.sub("", value.strip())))


@lru_cache(maxsize=1 << 16)
def _address_labels(value: str) -> tuple[str, ...]:
    if not value:
        raise OperatorError("empty")
    region = parse_region(value)
    if region.sido is None and region.sigungu is None:
        raise OperatorError("no region")
    sigungu = generalize(value, "KR_ADDRESS", "sigungu")
    sido = region.sido or STAR
    dong = _dong_word(value, sigungu)
    return (f"{sigungu} {dong}" if dong else sigungu, sigungu, sido, STAR)


@lru_cache(maxsize=1)
def _sido_words() -> frozenset[str]:
    return frozenset(sido_names())


def _dong_word(value: str, sigungu: str) -> str | None:
    """The 읍/면/동 (or 법정동 ``N가``, 리) of an address: the first such word after the region
    words, else the 동 of a road-name address's reference item ``(세종로)``/``(역삼동)``."""
    skip = set(sigungu.split()) | _sido_words()
    for word in value.replace(",", " ").split():
        if word in skip or word.endswith(("시", "군", "구")):
            continue
        if _DONG.match(word):
            return word
        break
    m = _REF_DONG.search(value)
    return m.group(1) if m else None


# ------------------------------------------------------------------------------ postal code


def _postal(value: str) -> list[str]:
    return [
        generalize(value, "KR_POSTAL_CODE", "3"),
        generalize(value, "KR_POSTAL_CODE", "2"),
        STAR,
    ]


# --------------------------------------------------------------------------------------- age

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _age(value: str) -> list[str]:
    m = _NUMBER.search(value)
    if m is None:
        raise ValueError("no number")
    age = int(float(m.group()))
    out = []
    for width in (5, 10, 20):
        lo = age // width * width
        out.append(f"{lo}-{lo + width - 1}")
    return out + [STAR]


# ------------------------------------------------------------------------------------- dates


def _birth_date(value: str) -> list[str]:
    return [generalize(value, "DATE_OF_BIRTH", lvl) for lvl in ("month", "year", "decade")] + [STAR]


def _date(value: str) -> list[str]:
    p = parse_date(value)
    if p is None:
        raise ValueError("no date")
    year = f"{p.year:04d}"
    if not p.month:
        return [year, year, year, STAR]
    return [f"{year}-{p.month:02d}", f"{year}-Q{(p.month - 1) // 3 + 1}", year, STAR]


def _date_week(value: str) -> list[str]:
    p = parse_date(value)
    if p is None or p.precision != "day":
        raise ValueError("no full date")
    iso = dt.date(p.year, p.month, p.day).isocalendar()
    return [f"{iso.year:04d}-W{iso.week:02d}", f"{iso.year:04d}", STAR]


# -------------------------------------------------------------------------------- occupation

KSCO_MAJOR: dict[str, str] = {
    "0": "A 군인",
    "1": "1 관리자",
    "2": "2 전문가 및 관련 종사자",
    "3": "3 사무 종사자",
    "4": "4 서비스 종사자",
    "5": "5 판매 종사자",
    "6": "6 농림어업 숙련 종사자",
    "7": "7 기능원 및 관련 기능 종사자",
    "8": "8 장치·기계 조작 및 조립 종사자",
    "9": "9 단순노무 종사자",
    "A": "A 군인",
}
"""한국표준직업분류 (KSCO, 7th revision 2017) major groups; code 0/A is the armed forces."""

_OCCUPATION_WORDS: tuple[tuple[str, str], ...] = (
    # longest/most specific first; a value is classed by the first word it contains
    ("군인", "A"),
    ("장교", "A"),
    ("부사관", "A"),
    ("대표", "1"),
    ("임원", "1"),
    ("관리자", "1"),
    ("국회의원", "1"),
    ("공장장", "1"),
    ("의사", "2"),
    ("간호", "2"),
    ("약사", "2"),
    ("교사", "2"),
    ("교수", "2"),
    ("강사", "2"),
    ("변호사", "2"),
    ("회계사", "2"),
    ("세무사", "2"),
    ("연구원", "2"),
    ("엔지니어", "2"),
    ("개발자", "2"),
    ("프로그래머", "2"),
    ("디자이너", "2"),
    ("기자", "2"),
    ("작가", "2"),
    ("사회복지사", "2"),
    ("건축가", "2"),
    ("치료사", "2"),
    ("상담사", "2"),
    ("예술", "2"),
    ("사무", "3"),
    ("회사원", "3"),
    ("공무원", "3"),
    ("경리", "3"),
    ("비서", "3"),
    ("은행원", "3"),
    ("행정", "3"),
    ("상담원", "3"),
    ("요리사", "4"),
    ("조리", "4"),
    ("미용", "4"),
    ("간병", "4"),
    ("요양보호사", "4"),
    ("경찰", "4"),
    ("소방", "4"),
    ("경호", "4"),
    ("승무원", "4"),
    ("서빙", "4"),
    ("바리스타", "4"),
    ("판매", "5"),
    ("영업", "5"),
    ("점원", "5"),
    ("상인", "5"),
    ("캐셔", "5"),
    ("중개", "5"),
    ("농", "6"),
    ("어부", "6"),
    ("어업", "6"),
    ("축산", "6"),
    ("임업", "6"),
    ("원예", "6"),
    ("목수", "7"),
    ("전기", "7"),
    ("용접", "7"),
    ("정비", "7"),
    ("제빵", "7"),
    ("재단", "7"),
    ("배관", "7"),
    ("도배", "7"),
    ("미장", "7"),
    ("운전", "8"),
    ("기사", "8"),
    ("기계조작", "8"),
    ("조립", "8"),
    ("기관사", "8"),
    ("청소", "9"),
    ("경비", "9"),
    ("택배", "9"),
    ("배달", "9"),
    ("노무", "9"),
    ("일용", "9"),
    ("주차", "9"),
    ("가사도우미", "9"),
)


def occupation_major(value: str) -> str:
    """KSCO major group of a job title or KSCO code (``2`` for ``'간호사'`` or ``'2411'``)."""
    v = value.strip()
    if v[:1].isdigit() or v[:1] in ("A", "a"):
        return KSCO_MAJOR[v[0].upper()]
    for word, code in _OCCUPATION_WORDS:
        if word in v:
            return KSCO_MAJOR[code]
    raise ValueError("unknown occupation")


def _occupation(value: str) -> list[str]:
    return [occupation_major(value), STAR]


def _suppress(value: str) -> list[str]:
    return [STAR]


BUILTIN: dict[str, Hierarchy] = {
    h.name: h
    for h in (
        Hierarchy("address", ("raw", "eupmyeondong", "sigungu", "sido", "*"), _safe(_address, 4)),
        Hierarchy("postal_code", ("raw", "3", "2", "*"), _safe(_postal, 3)),
        Hierarchy("age", ("raw", "5y", "10y", "20y", "*"), _safe(_age, 4)),
        Hierarchy("birth_date", ("raw", "month", "year", "decade", "*"), _safe(_birth_date, 4)),
        Hierarchy("date", ("raw", "month", "quarter", "year", "*"), _safe(_date, 4)),
        Hierarchy("date_week", ("raw", "week", "isoyear", "*"), _safe(_date_week, 3)),
        Hierarchy("sex", ("raw", "*"), _safe(_suppress, 1)),
        Hierarchy("occupation", ("raw", "major", "*"), _safe(_occupation, 2)),
        Hierarchy("suppress", ("raw", "*"), _safe(_suppress, 1)),
    )
}


def builtin(name: str) -> Hierarchy:
    """The built-in hierarchy ``name`` (see module doc)."""
    try:
        return BUILTIN[name]
    except KeyError:
        raise ValueError(
            f"unknown hierarchy {name!r}; built-in: {', '.join(sorted(BUILTIN))}"
        ) from None


# -------------------------------------------------------------------------- user hierarchies


def from_csv(path: str | Path, name: str | None = None) -> Hierarchy:
    """A user hierarchy from a CSV file in ARX's format: one row per raw value, the value first
    and then its label at each coarser level (``강남구;서울;*``). ``;``, ``,`` or tab separated,
    no header. A final ``*`` level is added when the file's last column is not all one label.
    A value the file does not list is an error when the hierarchy is applied (a silent ``*``
    would hide a typo in the file)."""
    text = Path(path).read_text("utf-8-sig")
    return from_rows(_csv_rows(text), name or Path(path).stem)


HierarchySpec = Hierarchy | str | Path
"""A hierarchy, the name of a bundled one, or a CSV file of user levels."""


def resolve(spec: HierarchySpec) -> Hierarchy:
    """A hierarchy object from a name, a CSV path (``.csv``/``.tsv``/``.txt``) or itself."""
    if isinstance(spec, Hierarchy):
        return spec
    text = str(spec)
    if isinstance(spec, Path) or text.endswith((".csv", ".tsv", ".txt")):
        return from_csv(text)
    return builtin(text)


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delim = max((";", ",", "\t"), key=sample.count)
    return [
        [c.strip() for c in row]
        for row in csv.reader(io.StringIO(text), delimiter=delim)
        if row and any(c.strip() for c in row)
    ]


def from_rows(rows: Sequence[Sequence[str]], name: str = "user") -> Hierarchy:
    """A user hierarchy from rows ``[value, level1, level2, ...]`` (see :func:`from_csv`)."""
    if not rows:
        raise ValueError(f"hierarchy {name!r} has no rows")
    width = len(rows[0])
    if width < 1 or any(len(r) != width for r in rows):
        raise ValueError(f"hierarchy {name!r}: every row needs the same number of columns")
    table: dict[str, list[str]] = {}
    for r in rows:
        if r[0] in table and table[r[0]] != list(r[1:]):
            raise ValueError(f"hierarchy {name!r}: value listed twice with different labels")
        table[r[0]] = list(r[1:])
    add_star = width == 1 or len({r[-1] for r in rows}) > 1
    depth = width - 1 + (1 if add_star else 0)
    levels = tuple(["raw"] + [f"L{i}" for i in range(1, width)] + (["*"] if add_star else []))

    def labels(value: str) -> list[str]:
        try:
            out = list(table[value])
        except KeyError:
            raise KeyError(value) from None
        return out + [STAR] if add_star else out

    _check_tree(name, [[r[0], *labels(r[0])] for r in rows])
    return Hierarchy(name, levels[: depth + 1], labels)


def _check_tree(name: str, rows: list[list[str]]) -> None:
    """Each label must have one parent: otherwise k is not monotone over the lattice."""
    for lvl in range(1, len(rows[0]) - 1):
        parent: dict[str, str] = {}
        for r in rows:
            if parent.setdefault(r[lvl], r[lvl + 1]) != r[lvl + 1]:
                raise ValueError(
                    f"hierarchy {name!r} is not a tree: label {r[lvl]!r} at level {lvl} "
                    f"has two parents ({parent[r[lvl]]!r}, {r[lvl + 1]!r})"
                )


def apply_hierarchy(h: Hierarchy, values: Sequence[Any]) -> AppliedHierarchy:
    """Labels and code maps for the distinct ``values`` of a column (index = original code)."""
    rows: list[list[str]] = []
    missing: list[str] = []
    for v in values:
        text = _text(v)
        try:
            rows.append(h.labels(text))
        except KeyError:
            missing.append(text)
            rows.append([STAR] * h.height)
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5])
        raise ValueError(
            f"hierarchy {h.name!r} does not list {len(missing)} value(s) of the column: {shown}"
        )
    if any(len(r) != h.height for r in rows):
        raise ValueError(f"hierarchy {h.name!r} returned the wrong number of levels")
    maps: list[IntArray] = [np.arange(len(values), dtype=np.int64)]
    labels: list[list[Any]] = [list(values)]
    for lvl in range(h.height):
        index: dict[str, int] = {}
        codes = np.fromiter(
            (index.setdefault(r[lvl], len(index)) for r in rows), dtype=np.int64, count=len(rows)
        )
        maps.append(codes)
        labels.append(list(index))
    _check_applied_tree(h.name, maps)
    return AppliedHierarchy(h, maps, labels)


def _check_applied_tree(name: str, maps: list[IntArray]) -> None:
    for lvl in range(1, len(maps) - 1):
        lo, hi = maps[lvl], maps[lvl + 1]
        if lo.size == 0:
            continue
        parent = np.full(int(lo.max()) + 1, -1, dtype=np.int64)
        parent[lo] = hi
        if not np.array_equal(parent[lo], hi):
            raise ValueError(f"hierarchy {name!r} is not a tree at level {lvl}")
