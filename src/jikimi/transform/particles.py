"""Korean particle agreement after a replacement: ``김민준이`` → ``수아가``, not ``수아이``.

Why: Korean particles (조사) come in pairs chosen by whether the word before them ends in a
final consonant (받침): 은/는, 이/가, 을/를, 과/와, 으로/로, … A replaced name or identifier
changes that ending, and a wrong particle is both ungrammatical and a tell: it betrays that the
original ended differently (``수아이`` says the real name ended in a consonant). So after every
replacement the particle glued to it is re-chosen for the replacement.

**Reading the replacement's ending** (:func:`final_sound`). Trailing closing brackets and quotes
are skipped (``<PERSON_1>`` is read by its ``1``, ``「홍길동」`` by ``동``). Then:

* Hangul syllable: its own 받침 (ㄹ counts separately, for 으로/로);
* digit, read the way identifiers are read in Korean, digit by digit: 0 영/공, 1 일, 2 이,
  3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구 — 받침 after 0 3 6, ㄹ after 1 7 8, none after
  2 4 5 9 (``7390`` → 공 → ``7390을``; an amount like ``10`` read 십 is not an identifier);
* Latin letter, by its English letter name: L 엘 and R 알 end in ㄹ; M 엠, N 엔 end in another
  받침; every other letter name (에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 오 피 큐
  에스 티 유 브이 더블유 엑스 와이 제트/지) ends in a vowel. For a word in lower or mixed
  case (``Smith``, ``google``) three English endings override the letter name: ``-ng`` →
  받침 ㅇ (``Jung`` 정), ``-le`` → ㄹ (``Google`` 구글, ``Cole`` 콜), ``-r`` → none (``Peter``
  피터). So tokens such as ``PHONE_NUMBER_K3J…`` are read letter by letter;
* anything else (``*``, ``-``, ``○``): unknown. Then the combined written form is used
  (``이(가)``, ``을(를)``, ``(으)로``), as Korean forms do when the noun is not known; for
  stem forms without a combined spelling (``였``) the original particle is kept.

**Recognising a particle** in the text after the replacement (the heuristic). Only text glued
directly to the replacement is considered, and only a form from the table below that is
followed by a boundary: end of text, whitespace, punctuation or any non-Hangul character. So
``김민준이사`` (이사 "director") and ``수아가방`` (가방 "bag") are left alone, while ``김민준이
왔다`` and ``수아가.`` are particles. Exceptions: 과/와, 으로/로 and 이랑/랑 may be followed by
one more particle (는 도 만 의, and 은 after 랑: ``과는``, ``으로도``, ``랑은``); the copula
past stem 이었/였 is followed by its ending (``였다``, ``이었어요``) and needs no boundary.
Longest form first: ``이라고`` before ``이`` before nothing. ``야`` is ambiguous — vocative
(``수아야,`` → ``민준아,``) or copula (``수아야.`` → ``민준이야.``): followed by ``,``, ``!``
or a space it is taken as vocative, otherwise as copula.

| 받침 form | vowel form | | 받침 form | vowel form |
|---|---|---|---|---|
| 은 | 는 | | 이라고 / 이라는 / 이라서 / 이라면 / 이라도 / 이란 | 라고 / 라는 / 라서 / 라면 / 라도 / 란 |
| 이 | 가 | | 이며 / 이면 / 이면서 / 이고 / 이지만 | 며 / 면 / 면서 / 고 / 지만 |
| 을 | 를 | | 이든지 / 이든가 / 이야말로 | 든지 / 든가 / 야말로 |
| 과 | 와 | | 이다 / 이야 (copula) | 다 / 야 |
| 으로 / 으로서 / 으로써 / 으로부터 | 로 / 로서 / 로써 / 로부터 (also after ㄹ) | | 아 (vocative) | 야 |
| 이나 / 이나마 / 이랑 | 나 / 나마 / 랑 | | 이에요 / 이었 / 이어서 | 예요 / 였 / 여서 |

Particles that do not alternate (의, 에, 에게, 도, 만, 까지, 부터, 처럼, 보다, 입니다) need no
fix and are not reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

NONE, RIEUL, OTHER, UNKNOWN = "none", "rieul", "other", "unknown"
"""Final-sound classes: no 받침, 받침 ㄹ, another 받침, cannot tell."""

_DIGIT_FINAL = {
    "0": OTHER, "1": RIEUL, "2": NONE, "3": OTHER, "4": NONE,
    "5": NONE, "6": OTHER, "7": RIEUL, "8": RIEUL, "9": NONE,
}
_LETTER_FINAL = {ch: NONE for ch in "ABCDEFGHIJKOPQSTUVWXYZ"} | {
    "L": RIEUL, "R": RIEUL, "M": OTHER, "N": OTHER,
}
_CLOSERS = ">)]}\"'」』〉》】〕’”"


def _latin(ch: str) -> bool:
    return ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def final_sound(word: str) -> str:
    """How ``word`` ends when read aloud: :data:`NONE`, :data:`RIEUL`, :data:`OTHER` or
    :data:`UNKNOWN` (rules in the module doc)."""
    w = word.rstrip().rstrip(_CLOSERS).rstrip()
    if not w:
        return UNKNOWN
    ch = w[-1]
    if "가" <= ch <= "힣":
        jong = (ord(ch) - 0xAC00) % 28
        return NONE if jong == 0 else RIEUL if jong == 8 else OTHER
    if ch in _DIGIT_FINAL:
        return _DIGIT_FINAL[ch]
    if _latin(ch):
        i = len(w)
        while i > 0 and _latin(w[i - 1]):
            i -= 1
        run = w[i:]
        if len(run) >= 2 and not run.isupper():
            low = run.lower()
            if low.endswith("ng"):
                return OTHER
            if low.endswith("le"):
                return RIEUL
            if low.endswith("r"):
                return NONE
        return _LETTER_FINAL[ch.upper()]
    return UNKNOWN


class _Form(NamedTuple):
    batchim: str
    vowel: str
    combined: str | None  # the written form for an unknown ending; None = keep the original
    rieul_vowel: bool  # 으로 family: ㄹ takes the vowel form
    follow: str  # "boundary", "stack" (boundary or one stacked particle) or "stem"


_FORMS: tuple[_Form, ...] = (
    _Form("은", "는", "은(는)", False, "boundary"),
    _Form("이", "가", "이(가)", False, "boundary"),
    _Form("을", "를", "을(를)", False, "boundary"),
    _Form("과", "와", "과(와)", False, "stack"),
    _Form("으로", "로", "(으)로", True, "stack"),
    _Form("으로서", "로서", "(으)로서", True, "boundary"),
    _Form("으로써", "로써", "(으)로써", True, "boundary"),
    _Form("으로부터", "로부터", "(으)로부터", True, "boundary"),
    _Form("이나", "나", "(이)나", False, "boundary"),
    _Form("이나마", "나마", "(이)나마", False, "boundary"),
    _Form("이랑", "랑", "(이)랑", False, "stack"),
    _Form("이에요", "예요", "(이)에요", False, "boundary"),
    _Form("이었", "였", None, False, "stem"),
    _Form("이어서", "여서", None, False, "boundary"),
    _Form("이라고", "라고", "(이)라고", False, "boundary"),
    _Form("이라는", "라는", "(이)라는", False, "boundary"),
    _Form("이라서", "라서", "(이)라서", False, "boundary"),
    _Form("이라면", "라면", "(이)라면", False, "boundary"),
    _Form("이라도", "라도", "(이)라도", False, "boundary"),
    _Form("이란", "란", "(이)란", False, "boundary"),
    _Form("이며", "며", "(이)며", False, "boundary"),
    _Form("이면", "면", "(이)면", False, "boundary"),
    _Form("이면서", "면서", "(이)면서", False, "boundary"),
    _Form("이고", "고", "(이)고", False, "boundary"),
    _Form("이지만", "지만", "(이)지만", False, "boundary"),
    _Form("이든지", "든지", "(이)든지", False, "boundary"),
    _Form("이든가", "든가", "(이)든가", False, "boundary"),
    _Form("이야말로", "야말로", "(이)야말로", False, "boundary"),
    _Form("이다", "다", "(이)다", False, "boundary"),
)
_COPULA_YA = _Form("이야", "야", "(이)야", False, "boundary")
_VOCATIVE = _Form("아", "야", "아(야)", False, "boundary")

_STACKED = {"과": "는도의만", "와": "는도의만", "으로": "는도의만", "로": "는도의만",
            "이랑": "은도의만", "랑": "은도의만"}


def _candidates() -> dict[str, list[tuple[str, _Form]]]:
    """First character → [(written form, entry)], longest form first."""
    out: dict[str, list[tuple[str, _Form]]] = {}
    for f in (*_FORMS, _COPULA_YA, _VOCATIVE):
        for written in (f.batchim, f.vowel):
            if f is _VOCATIVE and written == "야":
                continue  # "야" is resolved between copula and vocative by what follows
            out.setdefault(written[0], []).append((written, f))
    for lst in out.values():
        lst.sort(key=lambda t: -len(t[0]))
    return out


_BY_FIRST = _candidates()


def _is_boundary(rest: str) -> bool:
    return not rest or not ("가" <= rest[0] <= "힣" or "ㄱ" <= rest[0] <= "ㅣ")


def find_particle(following_text: str) -> tuple[str, _Form] | None:
    """The alternating particle at the start of ``following_text`` (written form and its
    table entry), or None; the recognition heuristic is in the module doc."""
    if not following_text:
        return None
    for written, form in _BY_FIRST.get(following_text[0], ()):
        if not following_text.startswith(written):
            continue
        rest = following_text[len(written) :]
        if form.follow == "stem":
            return written, form
        if _is_boundary(rest):
            if written == "야" and form is _COPULA_YA and rest[:1] in (",", "!", " ", "\t", "\n"):
                return written, _VOCATIVE
            return written, form
        if form.follow == "stack" and rest[0] in _STACKED.get(written, "") and _is_boundary(rest[1:]):
            return written, form
    return None


def fix_particle(replacement: str, following_text: str) -> tuple[str, int]:
    """The particle that agrees with ``replacement``, and how many characters at the start of
    ``following_text`` it replaces; ``("", 0)`` when no alternating particle follows (or the
    replacement is empty: a redacted word leaves its particle as written)."""
    found = find_particle(following_text)
    if found is None or not replacement:
        return "", 0
    written, form = found
    final = final_sound(replacement)
    if final == UNKNOWN:
        chosen = form.combined if form.combined is not None else written
    elif final == NONE or (final == RIEUL and form.rieul_vowel):
        chosen = form.vowel
    else:
        chosen = form.batchim
    return chosen, len(written)


def apply_replacements(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied and the particle after each
    replacement made to agree with it.

    Spans use code-point offsets into the original ``text`` and must not overlap. They are
    applied right to left, so earlier offsets stay valid; a particle is only looked for in the
    text between a span and the next one.
    """
    ordered = sorted(spans, key=lambda s: (s[0], s[1]))
    prev_end = 0
    for start, end, _ in ordered:
        if not (0 <= start <= end <= len(text)) or start < prev_end:
            raise ValueError("replacement spans must lie inside the text and must not overlap")
        prev_end = end
    pieces: list[str] = []
    cursor = len(text)
    for i in range(len(ordered) - 1, -1, -1):
        start, end, rep = ordered[i]
        limit = ordered[i + 1][0] if i + 1 < len(ordered) else len(text)
        particle, n = fix_particle(rep, text[end:limit])
        pieces.append(text[end + n : cursor])
        pieces.append(particle)
        pieces.append(rep)
        cursor = start
    pieces.append(text[:cursor])
    return "".join(reversed(pieces))
