"""Check-digit validators against the reference tables and python-stdnum."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.kr import brn as std_brn
from stdnum.kr import rrn as std_rrn

from jikimi.detect import validators as v

# Reference: shared/reference/korean-identifiers.md, example tables (synthetic values)
RRN_VALID = ["6106221363549", "7206262837181", "1402204382720", "0912063419741"]
RRN_INVALID = ["6106221363540", "9902302837180"]
FRN_VALID = ["8808275381186", "8902096240996", "0109307121770"]
BRN_VALID = ["3091271856", "6378161642", "1149043065"]
BRN_INVALID = ["3091271857", "1230045673"]
CRN_VALID = ["1101118425129", "1301111242146", "2841211445497"]
CRN_INVALID = ["1101118425124", "1301111242156"]
CARDS_VALID = ["9410820980159178", "4590940619865822", "5345333147893281", "376277824622179", "3551184873331135"]
CARDS_INVALID = ["9410820980159179", "4590904619865822"]


@pytest.mark.parametrize("n", RRN_VALID)
def test_rrn_valid_matches_stdnum(n: str) -> None:
    assert v.rrn_kind(n) == "checksum"
    assert std_rrn.is_valid(n)


def test_rrn_invalid() -> None:
    assert v.rrn_kind("6106221363540") == "format"  # altered check digit: shape only
    assert not std_rrn.is_valid("6106221363540")
    assert v.rrn_kind("9902302837180") is None  # 30 Feb
    assert v.rrn_kind("2203143894005") == "random_era"  # post-Oct-2020: stdnum rejects by design
    assert not std_rrn.is_valid("2203143894005")


def test_rrn_future_birth_rejected() -> None:
    assert v.rrn_kind("9901014123456", today=dt.date(2026, 1, 1)) is None  # born 2099


@pytest.mark.parametrize("n", FRN_VALID)
def test_frn_valid(n: str) -> None:
    assert v.frn_kind(n) == "checksum"


def test_frn_altered_is_only_format() -> None:
    assert v.frn_kind("8808275381189") == "format"
    assert v.frn_kind("8902096130996") == "format"
    assert v.frn_kind("6106221363549") is None  # G=1 is an RRN


@pytest.mark.parametrize("n", BRN_VALID)
def test_brn_valid(n: str) -> None:
    assert v.brn_valid(n)
    assert std_brn.is_valid(n)


def test_brn_invalid() -> None:
    assert not v.brn_valid("3091271857")
    assert std_brn.is_valid("3091271857")  # stdnum has no check digit: we are stricter
    assert not v.brn_valid("1230045673")


def test_brn_individual() -> None:
    assert v.brn_is_individual("3091271856")
    assert not v.brn_is_individual("6378161642")
    assert v.brn_is_individual("1149043065")


@pytest.mark.parametrize("n", CRN_VALID)
def test_crn_valid(n: str) -> None:
    assert v.crn_valid(n)


@pytest.mark.parametrize("n", CRN_INVALID)
def test_crn_invalid(n: str) -> None:
    assert not v.crn_valid(n)


@pytest.mark.parametrize("n", CARDS_VALID)
def test_luhn_valid(n: str) -> None:
    assert v.luhn_ok(n) and luhn.is_valid(n)
    assert v.card_brand(n) is not None


@pytest.mark.parametrize("n", CARDS_INVALID)
def test_luhn_invalid(n: str) -> None:
    assert not v.luhn_ok(n) and not luhn.is_valid(n)


@given(st.text(alphabet="0123456789", min_size=2, max_size=19))
def test_luhn_agrees_with_stdnum(n: str) -> None:
    assert v.luhn_ok(n) == luhn.is_valid(n)


@given(st.text(alphabet="0123456789", min_size=1, max_size=18))
def test_luhn_check_digit_completes(payload: str) -> None:
    assert v.luhn_ok(payload + str(v.luhn_check_digit(payload)))


def _random_rrn12(rng: random.Random) -> str:
    born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 90))
    g = (1 if born.year < 2000 else 3) + rng.randrange(2)
    return born.strftime("%y%m%d") + str(g) + f"{rng.randrange(96):02d}" + "".join(str(rng.randrange(10)) for _ in range(3))


def test_rrn_agrees_with_stdnum_on_generated_numbers() -> None:
    rng = random.Random(42)
    for _ in range(2000):
        first = _random_rrn12(rng)
        good = first + str(v.rrn_check_digit(first))
        bad = first + str((v.rrn_check_digit(first) + 1 + rng.randrange(9)) % 10)
        assert std_rrn.is_valid(good) and v.rrn_kind(good) == "checksum"
        assert not std_rrn.is_valid(bad) and v.rrn_kind(bad) != "checksum"


def test_brn_check_digit_agrees_with_presidio_rule_on_generated() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        first = f"{rng.randrange(101, 1000)}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
        good = first + str(v.brn_check_digit(first))
        assert v.brn_valid(good) and std_brn.is_valid(good)
        assert not v.brn_valid(first + str((int(good[-1]) + 1) % 10))


@given(st.integers(1900, 2100), st.integers(0, 13), st.integers(0, 32))
def test_valid_date_matches_datetime(y: int, m: int, d: int) -> None:
    try:
        dt.date(y, m, d)
        ok = True
    except ValueError:
        ok = False
    assert v.valid_date(y, m, d) == ok
