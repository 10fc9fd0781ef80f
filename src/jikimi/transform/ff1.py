"""FF1 format-preserving encryption (NIST SP 800-38G Rev. 1), written out by hand.

Why hand-written: ``cryptography`` (the only crypto library jikimi depends on) has no FF1, and
the other NIST FPE mode, FF3-1, is being withdrawn in SP 800-38G Rev. 1, so FF1 is the one
format-preserving mode to build on. The algorithm below follows the specification step by step
(Algorithm 7, FF1.Encrypt, and Algorithm 8, FF1.Decrypt) and is checked in
``tests/test_ff1.py`` against all nine of NIST's published FF1 sample vectors (AES-128/192/256,
radix 10 and 36) and against a literal, unoptimised transcription of the pseudo-code.

Why AES-ECB: FF1 is defined on top of the raw block cipher ``CIPH_K``. Its PRF is a CBC-MAC with
a zero IV, i.e. ``Y_j = CIPH_K(Y_{j-1} xor X_j)``, and its output expansion is
``CIPH_K(R xor [j]^16)``. ``Cipher(algorithms.AES(key), modes.ECB())`` fed exactly one 16-byte
block per ``update`` call *is* ``CIPH_K``; this is the one place where ECB is the correct
primitive, because no data is ever "encrypted in ECB mode" here: every block is an internal
PRF input, chained or domain-separated by the construction itself.

Domain: radix 2..2**16 (any alphabet of distinct characters), lengths from ``min_len`` to
2**32 numerals, where ``radix ** min_len >= 1_000_000`` as Rev. 1 requires (so at least 6
decimal digits, or 2 Hangul syllables). Tweaks are arbitrary byte strings (shorter than 2**32).

Speed: the AES key schedule runs once per instance (and once more per extra thread that uses
it); the per-length layout (``u``, ``v``, ``b``, ``d``, ``radix**u``, ``radix**v``) and the
per-(length, tweak) CBC-MAC prefix are cached, the ten Feistel rounds run on Python ints
(``int.from_bytes``/``to_bytes``; no ``pow`` per call), and numeral strings are converted to
and from ints once per call (``int()``/``str()`` for ``0-9a-z``/``0-9A-Z`` prefixes such as
:data:`DIGITS`; C-speed validation by code-point range for contiguous alphabets such as
:data:`HANGUL`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "DIGITS",
    "FF1",
    "HANGUL",
    "MAX_LEN",
    "MIN_DOMAIN",
    "UPPER_ALNUM",
    "decrypt_preserving",
    "encrypt_preserving",
]

DIGITS = "0123456789"
"""Radix 10."""

HANGUL = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
"""The 11,172 precomposed Hangul syllables U+AC00..U+D7A3 (가..힣), radix 11172."""

UPPER_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Digits then upper-case Latin letters, radix 36."""

MIN_DOMAIN = 1_000_000
"""SP 800-38G Rev. 1: ``radix ** minlen`` must be at least one million."""

MAX_LEN = 2**32
"""SP 800-38G: ``maxlen <= 2**32``."""

_MAX_RADIX = 2**16
_ROUNDS = 10
_M128 = (1 << 128) - 1
_B36_LOWER = "0123456789abcdefghijklmnopqrstuvwxyz"
_B36_UPPER = _B36_LOWER.upper()
_CACHE_LIMIT = 1024

_Update = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Everything FF1 derives from the input length ``n`` alone (steps 1, 3 and 4)."""

    n: int
    u: int
    v: int
    mod_u: int  # radix ** u
    mod_v: int  # radix ** v
    b: int  # bytes for NUM_radix of the longer half
    d: int  # bytes of PRF output used per round
    shift: int  # 128 - 8d when d <= 16: y = R >> shift
    extra_blocks: int  # ceil(d / 16) - 1


@dataclass(frozen=True, slots=True)
class _TweakState:
    """The CBC-MAC over P and the constant leading blocks of Q, for one (n, tweak).

    ``heads[i]`` is the chaining value XOR-ed with the round-constant part of the last Q block(s)
    (the tweak remainder, padding and the round number ``i``), so a round only XORs in
    ``NUM_radix(B)``.
    """

    heads: tuple[int, ...]
    tail_blocks: int  # Q blocks that depend on the round (1 unless tweak remainder + 1 + b > 16)


class FF1:
    """FF1 over ``alphabet`` (radix ``len(alphabet)``) with an AES key of 16, 24 or 32 bytes.

    ``min_len`` defaults to the smallest length with ``radix ** min_len >= 1,000,000``; a larger
    value may be given, a smaller one is refused. Instances are safe to share between threads
    (each thread gets its own AES context). ``repr`` never shows key material.
    """

    __slots__ = (
        "_alphabet",
        "_charset",
        "_cipher",
        "_hi",
        "_index",
        "_kind",
        "_layouts",
        "_lo",
        "_min_len",
        "_radix",
        "_tls",
        "_tweaks",
    )

    def __init__(self, key: bytes, alphabet: str, *, min_len: int | None = None) -> None:
        if not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError("FF1 key must be bytes")
        key = bytes(key)
        if len(key) not in (16, 24, 32):
            raise ValueError(
                f"FF1 key must be 16, 24 or 32 bytes (AES-128/192/256), got {len(key)} bytes"
            )
        if not isinstance(alphabet, str):
            raise TypeError("FF1 alphabet must be a str")
        radix = len(alphabet)
        if not 2 <= radix <= _MAX_RADIX:
            raise ValueError(f"FF1 radix must be between 2 and 2**16, got {radix}")
        index = {ch: i for i, ch in enumerate(alphabet)}
        if len(index) != radix:
            raise ValueError("FF1 alphabet has duplicate characters")

        nist_min = 2
        while radix**nist_min < MIN_DOMAIN:
            nist_min += 1
        if min_len is None:
            min_len = nist_min
        elif not isinstance(min_len, int) or isinstance(min_len, bool):
            raise TypeError("min_len must be an int")
        elif min_len < nist_min:
            raise ValueError(
                f"min_len {min_len} is too small for radix {radix}: NIST SP 800-38G Rev. 1 "
                f"requires radix**min_len >= {MIN_DOMAIN:,}, i.e. min_len >= {nist_min}"
            )
        elif min_len > MAX_LEN:
            raise ValueError(f"min_len must be at most 2**32, got {min_len}")

        self._alphabet = alphabet
        self._radix = radix
        self._index = index
        self._charset = frozenset(alphabet)
        self._min_len = min_len
        self._lo = ord(alphabet[0])
        self._hi = ord(alphabet[-1])
        if alphabet == DIGITS:
            self._kind = "dec"
        elif radix <= 36 and alphabet in (_B36_LOWER[:radix], _B36_UPPER[:radix]):
            self._kind = "b36"
        elif self._hi - self._lo + 1 == radix and all(
            ord(ch) == self._lo + i for i, ch in enumerate(alphabet)
        ):
            self._kind = "range"
        else:
            self._kind = "map"
        self._cipher = Cipher(algorithms.AES(key), modes.ECB())
        self._tls = threading.local()
        self._layouts: dict[int, _Layout] = {}
        self._tweaks: dict[tuple[int, bytes], _TweakState] = {}
        self._ciph()  # run the key schedule now, not on the first call

    def __repr__(self) -> str:
        return f"FF1(radix={self._radix}, min_len={self._min_len})"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("FF1 instances hold key material and cannot be pickled")

    @property
    def alphabet(self) -> str:
        return self._alphabet

    @property
    def radix(self) -> int:
        return self._radix

    @property
    def min_len(self) -> int:
        return self._min_len

    def __contains__(self, ch: object) -> bool:
        """True if ``ch`` is one character of the alphabet."""
        return ch in self._charset

    # -- public API ---------------------------------------------------------------------------

    def encrypt(self, plaintext: str, tweak: bytes = b"") -> str:
        """FF1.Encrypt(K, T, X): a string of the same length over the same alphabet."""
        lay, st = self._prepare(plaintext, tweak)
        # NUM_radix(A || B) = NUM_radix(A) * radix**v + NUM_radix(B): one conversion each way
        a, b = divmod(self._num(plaintext), lay.mod_v)
        upd = self._ciph()
        mod_u, mod_v = lay.mod_u, lay.mod_v
        if st.tail_blocks == 1 and lay.extra_blocks == 0:
            # Hot path (d <= 16, one round-dependent Q block): y = first d bytes of R.
            # int.from_bytes/to_bytes use their default big-endian byte order (Python >= 3.11).
            shift = lay.shift
            h = st.heads
            for i in range(0, _ROUNDS, 2):
                a, b = b, (a + (int.from_bytes(upd((h[i] ^ b).to_bytes(16))) >> shift)) % mod_u
                y = int.from_bytes(upd((h[i + 1] ^ b).to_bytes(16))) >> shift
                a, b = b, (a + y) % mod_v
        else:
            for i in range(0, _ROUNDS, 2):
                a, b = b, (a + self._round_y(upd, lay, st, i, b)) % mod_u
                a, b = b, (a + self._round_y(upd, lay, st, i + 1, b)) % mod_v
        return self._str(a * mod_v + b, lay.n)

    def decrypt(self, ciphertext: str, tweak: bytes = b"") -> str:
        """FF1.Decrypt(K, T, Y): the inverse of :meth:`encrypt` for the same tweak."""
        lay, st = self._prepare(ciphertext, tweak)
        a, b = divmod(self._num(ciphertext), lay.mod_v)
        upd = self._ciph()
        mod_u, mod_v = lay.mod_u, lay.mod_v
        if st.tail_blocks == 1 and lay.extra_blocks == 0:
            shift = lay.shift
            h = st.heads
            for i in range(_ROUNDS - 1, 0, -2):
                a, b = (b - (int.from_bytes(upd((h[i] ^ a).to_bytes(16))) >> shift)) % mod_v, a
                y = int.from_bytes(upd((h[i - 1] ^ a).to_bytes(16))) >> shift
                a, b = (b - y) % mod_u, a
        else:
            for i in range(_ROUNDS - 1, 0, -2):
                a, b = (b - self._round_y(upd, lay, st, i, a)) % mod_v, a
                a, b = (b - self._round_y(upd, lay, st, i - 1, a)) % mod_u, a
        return self._str(a * mod_v + b, lay.n)

    # -- internals ----------------------------------------------------------------------------

    def _ciph(self) -> _Update:
        """This thread's CIPH_K (an ECB context's ``update``, fed whole blocks only)."""
        try:
            upd: _Update = self._tls.update
        except AttributeError:
            upd = self._cipher.encryptor().update
            self._tls.update = upd
        return upd

    def _prepare(self, text: str, tweak: bytes) -> tuple[_Layout, _TweakState]:
        if not isinstance(text, str):
            raise TypeError("FF1 input must be a str")
        if not isinstance(tweak, bytes):
            if isinstance(tweak, (bytearray, memoryview)):
                tweak = bytes(tweak)
            else:
                raise TypeError("FF1 tweak must be bytes")
        n = len(text)
        if n < self._min_len:
            raise ValueError(
                f"FF1 input is too short: {n} characters, but radix {self._radix} needs at least "
                f"{self._min_len} (NIST SP 800-38G Rev. 1 requires radix**length >= {MIN_DOMAIN:,})"
            )
        if n > MAX_LEN:
            raise ValueError("FF1 input is longer than 2**32 characters")
        if len(tweak) >= 2**32:
            raise ValueError("FF1 tweak must be shorter than 2**32 bytes")
        lay = self._layouts.get(n)
        if lay is None:
            lay = self._layout(n)
        st = self._tweaks.get((n, tweak))
        if st is None:
            st = self._tweak_state(lay, tweak)
        return lay, st

    def _layout(self, n: int) -> _Layout:
        u = n // 2
        v = n - u
        mod_u = self._radix**u
        mod_v = self._radix**v
        # b = ceil(ceil(v * log2(radix)) / 8), exactly: ceil(v*log2(radix)) = (radix**v - 1).bit_length()
        b = ((mod_v - 1).bit_length() + 7) // 8
        d = 4 * ((b + 3) // 4) + 4
        lay = _Layout(
            n=n,
            u=u,
            v=v,
            mod_u=mod_u,
            mod_v=mod_v,
            b=b,
            d=d,
            shift=max(0, 128 - 8 * d),
            extra_blocks=(d + 15) // 16 - 1,
        )
        if len(self._layouts) >= _CACHE_LIMIT:
            self._layouts.clear()
        self._layouts[n] = lay
        return lay

    def _tweak_state(self, lay: _Layout, tweak: bytes) -> _TweakState:
        t = len(tweak)
        # Step 5: P = [1]^1 || [2]^1 || [1]^1 || [radix]^3 || [10]^1 || [u mod 256]^1 || [n]^4 || [t]^4
        p = (
            b"\x01\x02\x01"
            + self._radix.to_bytes(3, "big")
            + bytes((10, lay.u % 256))
            + lay.n.to_bytes(4, "big")
            + t.to_bytes(4, "big")
        )
        upd = self._ciph()
        y = int.from_bytes(upd(p), "big")
        # Step 6.i: Q = T || [0]^((-t-b-1) mod 16) || [i]^1 || [NUM_radix(B)]^b
        q_const = tweak + bytes((-t - lay.b - 1) % 16)
        full = len(q_const) // 16
        for j in range(full):
            blk = int.from_bytes(q_const[16 * j : 16 * j + 16], "big")
            y = int.from_bytes(upd((y ^ blk).to_bytes(16, "big")), "big")
        rem = q_const[16 * full :]
        tail_len = len(rem) + 1 + lay.b
        tail_blocks = tail_len // 16
        rem_hi = int.from_bytes(rem, "big") << (8 * (1 + lay.b))
        if tail_blocks == 1:
            heads = tuple(y ^ rem_hi ^ (i << (8 * lay.b)) for i in range(_ROUNDS))
        else:
            # the chaining value goes into the first tail block only; _round_y handles the rest
            heads = tuple(
                (y << (128 * (tail_blocks - 1))) ^ rem_hi ^ (i << (8 * lay.b))
                for i in range(_ROUNDS)
            )
        st = _TweakState(heads=heads, tail_blocks=tail_blocks)
        if len(self._tweaks) >= _CACHE_LIMIT:
            self._tweaks.clear()
        self._tweaks[(lay.n, tweak)] = st
        return st

    @staticmethod
    def _round_y(upd: _Update, lay: _Layout, st: _TweakState, i: int, num: int) -> int:
        """General steps 6.ii-6.iv: y = NUM(S) for any tail length and any d."""
        x = st.heads[i] ^ num  # first tail block already carries the chaining value
        k = st.tail_blocks
        r = 0
        for j in range(k - 1, -1, -1):
            blk = (x >> (128 * j)) & _M128
            r = int.from_bytes(upd((r ^ blk).to_bytes(16, "big")), "big")
        if lay.extra_blocks == 0:
            return r >> lay.shift
        # S = R || CIPH(R xor [1]^16) || ... || CIPH(R xor [ceil(d/16)-1]^16), first d bytes
        more = upd(b"".join((r ^ j).to_bytes(16, "big") for j in range(1, lay.extra_blocks + 1)))
        s = r.to_bytes(16, "big") + more
        return int.from_bytes(s[: lay.d], "big")

    def _num(self, s: str) -> int:
        """NUM_radix: the numeral string as an int; ValueError naming the first bad position."""
        kind = self._kind
        if kind == "dec":
            if s.isascii() and s.isdigit():
                return int(s)
        elif kind == "b36":
            if s.isascii() and not s.strip(self._alphabet):
                return int(s, self._radix)
        elif kind == "range":
            if chr(self._lo) <= min(s) and max(s) <= chr(self._hi):
                lo = self._lo
                radix = self._radix
                x = 0
                for ch in s:
                    x = x * radix + (ord(ch) - lo)
                return x
        else:
            index = self._index
            radix = self._radix
            x = 0
            try:
                for ch in s:
                    x = x * radix + index[ch]
            except KeyError:
                pass
            else:
                return x
        for pos, ch in enumerate(s):
            if ch not in self._charset:
                raise ValueError(
                    f"character at position {pos} is not in the FF1 alphabet (radix {self._radix})"
                )
        raise AssertionError("unreachable: every character is in the alphabet")

    def _str(self, x: int, m: int) -> str:
        """STR^m_radix: the int as exactly ``m`` numerals."""
        if self._kind == "dec":
            return str(x).zfill(m)
        alphabet = self._alphabet
        radix = self._radix
        out = [alphabet[0]] * m
        for pos in range(m - 1, -1, -1):
            x, r = divmod(x, radix)
            out[pos] = alphabet[r]
        return "".join(out)


def _split(ff1: FF1, value: str) -> tuple[str, list[bool] | None]:
    charset = ff1._charset
    mask = [ch in charset for ch in value]
    numerals = "".join(ch for ch, keep in zip(value, mask, strict=True) if keep)
    if len(numerals) < ff1.min_len:
        raise ValueError(
            f"value has {len(numerals)} characters from the FF1 alphabet, but radix {ff1.radix} "
            f"needs at least {ff1.min_len} (NIST SP 800-38G Rev. 1 requires "
            f"radix**length >= {MIN_DOMAIN:,})"
        )
    return numerals, (None if len(numerals) == len(value) else mask)


def _merge(value: str, mask: list[bool] | None, out: str) -> str:
    if mask is None:
        return out
    it = iter(out)
    return "".join(next(it) if keep else ch for ch, keep in zip(value, mask, strict=True))


def encrypt_preserving(ff1: FF1, value: str, tweak: bytes = b"") -> str:
    """Encrypt only the characters of ``value`` that are in ``ff1``'s alphabet; every other
    character (``-``, spaces, ...) stays where it is: ``"010-4821-7390"`` -> ``"ddd-dddd-dddd"``.

    The separators are not encrypted, so the format (and their positions) is visible; the
    alphabet characters are encrypted together as one FF1 input.
    """
    numerals, mask = _split(ff1, value)
    return _merge(value, mask, ff1.encrypt(numerals, tweak))


def decrypt_preserving(ff1: FF1, value: str, tweak: bytes = b"") -> str:
    """The inverse of :func:`encrypt_preserving` for the same key, alphabet and tweak."""
    numerals, mask = _split(ff1, value)
    return _merge(value, mask, ff1.decrypt(numerals, tweak))
