"""FF1 (NIST SP 800-38G Rev. 1): NIST sample vectors, a literal reference transcription,
round-trip properties and the format-preserving helpers."""

from __future__ import annotations

import math
import pickle
import re
import threading

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.transform.ff1 import (
    DIGITS,
    FF1,
    HANGUL,
    UPPER_ALNUM,
    decrypt_preserving,
    encrypt_preserving,
)

# --- NIST FF1 sample vectors ------------------------------------------------------------------
# "FF1samples.pdf", Examples with Intermediate Values, NIST CSRC (SP 800-38G), samples 1-9.

K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F"
K256 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"

NIST_FF1 = [
    # sample, key, tweak, radix, plaintext, ciphertext
    (1, K128, "", 10, "0123456789", "2433477484"),
    (2, K128, "39383736353433323130", 10, "0123456789", "6124200773"),
    (3, K128, "3737373770717273373737", 36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (4, K192, "", 10, "0123456789", "2830668132"),
    (5, K192, "39383736353433323130", 10, "0123456789", "2496655549"),
    (6, K192, "3737373770717273373737", 36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (7, K256, "", 10, "0123456789", "6657667009"),
    (8, K256, "39383736353433323130", 10, "0123456789", "1001623463"),
    (9, K256, "3737373770717273373737", 36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]


@pytest.mark.parametrize(
    ("sample", "key", "tweak", "radix", "pt", "ct"),
    NIST_FF1,
    ids=[f"sample{v[0]}" for v in NIST_FF1],
)
def test_nist_ff1_samples(sample: int, key: str, tweak: str, radix: int, pt: str, ct: str) -> None:
    ff1 = FF1(bytes.fromhex(key), B36[:radix])
    assert ff1.encrypt(pt, bytes.fromhex(tweak)) == ct
    assert ff1.decrypt(ct, bytes.fromhex(tweak)) == pt


def test_nist_radix36_upper_alphabet_same_numerals() -> None:
    """UPPER_ALNUM is the same numeral order as NIST's 0-9a-z; only the glyphs differ."""
    ff1 = FF1(bytes.fromhex(K128), UPPER_ALNUM)
    tweak = bytes.fromhex("3737373770717273373737")
    assert ff1.encrypt("0123456789ABCDEFGHI", tweak) == "A9TV40MLL9KDU509EUM"


# --- a literal transcription of Algorithms 7 and 8, for differential testing -----------------


def _ref_ff1(key: bytes, radix: int, tweak: bytes, x: list[int], *, decrypt: bool) -> list[int]:
    """Step by step from SP 800-38G, on numeral lists, with PRF = AES-CBC-MAC (zero IV)."""

    def num_radix(xs: list[int]) -> int:
        out = 0
        for digit in xs:
            out = out * radix + digit
        return out

    def str_radix(m: int, value: int) -> list[int]:
        return [(value // radix ** (m - 1 - i)) % radix for i in range(m)]

    def prf(data: bytes) -> bytes:
        enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
        return (enc.update(data) + enc.finalize())[-16:]

    def ciph(block: bytes) -> bytes:
        enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        return enc.update(block) + enc.finalize()

    n, t = len(x), len(tweak)
    u = n // 2
    v = n - u
    a, b = x[:u], x[u:]
    bb = math.ceil(math.ceil(v * math.log2(radix)) / 8)
    d = 4 * math.ceil(bb / 4) + 4
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256])
    p += n.to_bytes(4, "big") + t.to_bytes(4, "big")
    rounds = range(9, -1, -1) if decrypt else range(10)
    for i in rounds:
        src = a if decrypt else b
        q = tweak + bytes((-t - bb - 1) % 16) + bytes([i]) + num_radix(src).to_bytes(bb, "big")
        r = prf(p + q)
        s = r
        for j in range(1, math.ceil(d / 16)):
            s += ciph(bytes(x ^ y for x, y in zip(r, j.to_bytes(16, "big"), strict=True)))
        y = int.from_bytes(s[:d], "big")
        m = u if i % 2 == 0 else v
        if decrypt:
            c = (num_radix(b) - y) % radix**m
            a, b = str_radix(m, c), a
        else:
            c = (num_radix(a) + y) % radix**m
            a, b = b, str_radix(m, c)
    return a + b


def _ref(key: bytes, alphabet: str, tweak: bytes, text: str, *, decrypt: bool = False) -> str:
    idx = {ch: i for i, ch in enumerate(alphabet)}
    out = _ref_ff1(key, len(alphabet), tweak, [idx[ch] for ch in text], decrypt=decrypt)
    return "".join(alphabet[i] for i in out)


def test_reference_transcription_matches_nist() -> None:
    for _, key, tweak, radix, pt, ct in NIST_FF1:
        assert _ref(bytes.fromhex(key), B36[:radix], bytes.fromhex(tweak), pt) == ct


SCRAMBLED = "Zx9_Q!7aM#k2"  # radix 12, not contiguous, not a 0-9a-z prefix ("map" path)
ALPHABETS = [DIGITS, UPPER_ALNUM, B36[:16], "01", HANGUL, SCRAMBLED]
keys = st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n))
tweaks = st.binary(max_size=40)


@st.composite
def alphabet_and_text(draw: st.DrawFn, max_len: int = 90) -> tuple[str, str]:
    alphabet = draw(st.sampled_from(ALPHABETS))
    min_len = FF1(bytes(16), alphabet).min_len
    text = draw(st.text(alphabet=alphabet, min_size=min_len, max_size=max(min_len, max_len)))
    return alphabet, text


@settings(max_examples=150, deadline=None)
@given(key=keys, at=alphabet_and_text(), tweak=tweaks)
def test_matches_reference_transcription(key: bytes, at: tuple[str, str], tweak: bytes) -> None:
    alphabet, text = at
    ff1 = FF1(key, alphabet)
    ct = ff1.encrypt(text, tweak)
    assert ct == _ref(key, alphabet, tweak, text)
    assert ff1.decrypt(ct, tweak) == text
    assert _ref(key, alphabet, tweak, ct, decrypt=True) == text


@pytest.mark.parametrize(
    ("alphabet", "n"),
    [
        (DIGITS, 60),  # d > 16: output expansion CIPH(R xor [j]^16)
        (DIGITS, 100),  # b >= 16: the round-dependent part of Q spans two blocks
        (HANGUL, 40),  # same, radix 11172
        (B36[:16], 70),
    ],
)
@pytest.mark.parametrize("tweak", [b"", b"t" * 7, b"long tweak " * 5])
def test_long_inputs_match_reference(alphabet: str, n: int, tweak: bytes) -> None:
    key = bytes(range(32))
    text = "".join(alphabet[(i * 7919) % len(alphabet)] for i in range(n))
    ff1 = FF1(key, alphabet)
    ct = ff1.encrypt(text, tweak)
    assert ct == _ref(key, alphabet, tweak, text)
    assert ff1.decrypt(ct, tweak) == text


# --- round trips ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(key=keys, text=st.text(alphabet=DIGITS, min_size=6, max_size=40), tweak=tweaks)
def test_roundtrip_digits(key: bytes, text: str, tweak: bytes) -> None:
    ff1 = FF1(key, DIGITS)
    ct = ff1.encrypt(text, tweak)
    assert len(ct) == len(text) and set(ct) <= set(DIGITS)
    assert ff1.decrypt(ct, tweak) == text


@settings(max_examples=300, deadline=None)
@given(key=keys, text=st.text(alphabet=HANGUL, min_size=2, max_size=20), tweak=tweaks)
def test_roundtrip_hangul(key: bytes, text: str, tweak: bytes) -> None:
    ff1 = FF1(key, HANGUL)
    ct = ff1.encrypt(text, tweak)
    assert len(ct) == len(text) and all("\uac00" <= ch <= "\ud7a3" for ch in ct)
    assert ff1.decrypt(ct, tweak) == text


@settings(max_examples=100, deadline=None)
@given(key=keys, text=st.text(alphabet=UPPER_ALNUM, min_size=4, max_size=30), tweak=tweaks)
def test_roundtrip_upper_alnum(key: bytes, text: str, tweak: bytes) -> None:
    ff1 = FF1(key, UPPER_ALNUM)
    ct = ff1.encrypt(text, tweak)
    assert len(ct) == len(text) and set(ct) <= set(UPPER_ALNUM)
    assert ff1.decrypt(ct, tweak) == text


def test_radix_2_16_roundtrip() -> None:
    alphabet = "".join(chr(i) for i in range(2**16))
    ff1 = FF1(bytes(16), alphabet)
    assert ff1.radix == 2**16 and ff1.min_len == 2
    text = "\u0000\uffff\ud800abc"
    ct = ff1.encrypt(text, b"x")
    assert len(ct) == len(text)
    assert ff1.decrypt(ct, b"x") == text


# --- format-preserving helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("010-4821-7390", r"\d{3}-\d{4}-\d{4}"),
        ("900101-1234567", r"\d{6}-\d{7}"),
        ("+82 10 4821 7390", r"\+\d{2} \d{2} \d{4} \d{4}"),
        ("4590 9406 1986 5822", r"\d{4} \d{4} \d{4} \d{4}"),
        ("계좌 110-234-567890", r"계좌 \d{3}-\d{3}-\d{6}"),
        ("0104821739", r"\d{10}"),
    ],
)
def test_preserving_keeps_separators(value: str, shape: str) -> None:
    ff1 = FF1(bytes(range(16)), DIGITS)
    ct = encrypt_preserving(ff1, value, b"phone")
    assert re.fullmatch(shape, ct)
    assert ct != value
    assert decrypt_preserving(ff1, ct, b"phone") == value


def test_preserving_hangul_name_keeps_spaces() -> None:
    ff1 = FF1(bytes(range(32)), HANGUL)
    ct = encrypt_preserving(ff1, "남궁 민수", b"name")
    assert len(ct) == 5 and ct[2] == " "
    assert all("\uac00" <= ch <= "\ud7a3" for ch in ct.replace(" ", ""))
    assert decrypt_preserving(ff1, ct, b"name") == "남궁 민수"


@settings(max_examples=200, deadline=None)
@given(
    value=st.text(alphabet=DIGITS + "- ()+.", min_size=0, max_size=30).filter(
        lambda s: sum(ch.isdigit() for ch in s) >= 6
    ),
    tweak=tweaks,
)
def test_preserving_roundtrip_property(value: str, tweak: bytes) -> None:
    ff1 = FF1(bytes(24), DIGITS)
    ct = encrypt_preserving(ff1, value, tweak)
    assert len(ct) == len(value)
    assert [c for c in ct if not c.isdigit()] == [c for c in value if not c.isdigit()]
    assert all(a.isdigit() == b.isdigit() for a, b in zip(ct, value, strict=True))
    assert decrypt_preserving(ff1, ct, tweak) == value


def test_preserving_too_few_numerals() -> None:
    ff1 = FF1(bytes(16), DIGITS)
    with pytest.raises(ValueError, match="at least 6") as exc:
        encrypt_preserving(ff1, "12-34-5", b"")
    assert "12-34-5" not in str(exc.value)
    with pytest.raises(ValueError):
        decrypt_preserving(ff1, "--------", b"")
    with pytest.raises(ValueError):
        encrypt_preserving(FF1(bytes(16), HANGUL), "김 (Kim)", b"")


# --- determinism and tweaks -------------------------------------------------------------------


def test_deterministic_for_same_key_and_tweak() -> None:
    key = bytes.fromhex(K256)
    a, b = FF1(key, DIGITS), FF1(key, DIGITS)
    pt = "8808275381186"
    assert a.encrypt(pt, b"rrn") == a.encrypt(pt, b"rrn") == b.encrypt(pt, b"rrn")
    assert a.encrypt(pt, bytearray(b"rrn")) == a.encrypt(pt, b"rrn")  # type: ignore[arg-type]


def test_different_tweak_or_key_changes_output() -> None:
    ff1 = FF1(bytes.fromhex(K128), DIGITS)
    pt = "8808275381186"  # 13 digits: a collision has probability about 1e-13 per pair
    outputs = {
        ff1.encrypt(pt, tw) for tw in (b"", b"a", b"b", b"phone", b"rrn", bytes(16), bytes(17))
    }
    assert len(outputs) == 7
    other = FF1(bytes.fromhex(K192), DIGITS)
    assert other.encrypt(pt, b"") != ff1.encrypt(pt, b"")


def test_thread_safe_and_consistent() -> None:
    ff1 = FF1(bytes(32), DIGITS)
    inputs = [f"{i:013d}" for i in range(200)]
    expected = [ff1.encrypt(x, b"t") for x in inputs]
    results: list[list[str]] = []

    def work() -> None:
        results.append([ff1.encrypt(x, b"t") for x in inputs])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [expected] * 8


# --- errors -----------------------------------------------------------------------------------


def test_too_short_inputs_rejected() -> None:
    ff1 = FF1(bytes(16), DIGITS)
    assert ff1.min_len == 6
    with pytest.raises(ValueError, match="too short"):
        ff1.encrypt("12345")
    with pytest.raises(ValueError, match="too short"):
        ff1.decrypt("12345")
    assert len(ff1.encrypt("123456")) == 6
    hangul = FF1(bytes(16), HANGUL)
    assert hangul.min_len == 2
    with pytest.raises(ValueError, match="too short"):
        hangul.encrypt("김")
    assert FF1(bytes(16), "01").min_len == 20
    assert FF1(bytes(16), UPPER_ALNUM).min_len == 4


def test_min_len_option() -> None:
    ff1 = FF1(bytes(16), DIGITS, min_len=10)
    with pytest.raises(ValueError, match="too short"):
        ff1.encrypt("123456789")
    assert len(ff1.encrypt("0123456789")) == 10
    with pytest.raises(ValueError, match="1,000,000"):
        FF1(bytes(16), DIGITS, min_len=5)


@pytest.mark.parametrize(
    ("alphabet", "value", "pos"),
    [
        (DIGITS, "12345\u26037890123", 5),
        (DIGITS, "1234567890１23", 10),  # full-width digit
        (DIGITS, "123456789\u0663", 9),  # Arabic-Indic digit: int() would accept it
        (DIGITS, "123_456789", 3),  # int() would accept the underscore
        (DIGITS, " 123456789", 0),
        (UPPER_ALNUM, "ABCDEFGhIJ", 7),
        (HANGUL, "홍길동A", 3),
        (SCRAMBLED, "Zx9_Q!7aMz", 9),
    ],
)
def test_out_of_alphabet_names_position_not_value(alphabet: str, value: str, pos: int) -> None:
    ff1 = FF1(bytes(16), alphabet)
    for op in (ff1.encrypt, ff1.decrypt):
        with pytest.raises(ValueError, match=rf"position {pos}\b") as exc:
            op(value, b"")
        msg = str(exc.value)
        assert value not in msg
        bad = value[pos]
        assert repr(bad) not in msg
        if not (bad.isspace() or (bad.isascii() and bad.isalpha())):  # not part of the wording
            assert bad not in msg


@pytest.mark.parametrize("length", [0, 8, 15, 17, 31, 33, 64])
def test_bad_key_length(length: int) -> None:
    with pytest.raises(ValueError, match="16, 24 or 32"):
        FF1(bytes(length), DIGITS)


def test_bad_alphabets_and_types() -> None:
    with pytest.raises(ValueError, match="radix"):
        FF1(bytes(16), "0")
    with pytest.raises(ValueError, match="radix"):
        FF1(bytes(16), "".join(chr(i) for i in range(2**16 + 1)))
    with pytest.raises(ValueError, match="duplicate"):
        FF1(bytes(16), "01234567890")
    with pytest.raises(TypeError):
        FF1("0" * 16, DIGITS)  # type: ignore[arg-type]
    ff1 = FF1(bytes(16), DIGITS)
    with pytest.raises(TypeError):
        ff1.encrypt("123456", "tweak")  # type: ignore[arg-type]


def test_no_key_material_in_repr_or_pickle() -> None:
    key = bytes.fromhex(K128)
    ff1 = FF1(key, DIGITS)
    assert K128.lower() not in repr(ff1).lower()
    assert repr(ff1) == "FF1(radix=10, min_len=6)"
    with pytest.raises(TypeError):
        pickle.dumps(ff1)
    assert "7" in ff1 and "a" not in ff1 and ff1.alphabet == DIGITS
