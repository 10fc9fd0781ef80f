"""PERSON recognizer: Korean and Latin-script personal names that a cue marks as names.

A Korean name is a surname syllable (or one of the two-syllable surnames 남궁, 황보, 제갈, 선우,
독고, 사공, 서문) followed by one to three given-name syllables, written without a space. Most
such strings in running text are not names: 정부, 이번, 조사, 강남 and thousands of other words
begin with a surname syllable. A name is therefore reported only next to a cue, and the cue,
the surname's frequency, how name-like the given syllables are and a stop-word list of common
words set the score:

* after the name: an honorific or role word (님, 씨, 고객님, 회원님, 선생님, 환자, 귀하, 여사,
  군/양, 선배, 드림), a job title (대리, 과장, 팀장, 원장, 교수, 간호사 ...) or a family role
  in a form (배우자, 자녀), attached or after a space;
* before the name: a label (성명, 이름, 성함, 고객명, 담당자, 보호자, 예금주, 받는 분 ...) with an
  optional colon, after which a comma-separated list of names is read name by name; the
  syllable after the name decides, by the final-consonant rule of Korean particles, whether
  it is a particle (김민준은) or a third given-name syllable (김명준나);
* a masking character inside the name (김*수, 홍○동) is a cue by itself;
* a self-introduction: 나/저/나는/저는 before the name and a copula after it (나 김민준이야,
  저 이서연입니다; 제 이름은 X is the label 이름 with a particle);
* Latin-script names after a title or label (Mr., Dr., Dear, Name:, patient).

Cues differ in strength. A weak or absent field layout leaves the stop words in force and
penalises one- and three-syllable given names, which are rare. A strong cue is a label whose
value stands alone (성명 표현, / 보호자 남아 20.12.11 / 모 고범인성 Passport) or a title after a
name that opens a field ((이식 고객, / 정성지혁 선배): there a form slot says "a name goes here",
so a two-syllable common word is read as a name at a lower score, a three-syllable given name
is taken whole (박명세숙, 선우동미진), and the length prior mostly lifts. Field names, adverbs and
the other words of ``data/person_nonnames.txt`` stay out even then.

The span is the name only: honorifics, titles, labels and particles (김민준님이, 최유진에게) stay
outside, as docs/spans.md requires. The data (surname shares, given-name syllable classes, cue
words, stop words) lives in ``data/surnames.tsv`` and ``data/person_*``.

Speed decides the shape of the code. The recognizer runs on every text field and has a share
of a 25 MB/s budget, so it cannot afford a pattern that starts with a broad class such as
``[가-힣]{2,4}(?=님)``: CPython's ``re`` then tries a match at every syllable. Nor an
alternation of the cue words: they start with the most frequent syllables of Korean (이, 사,
의, 주, 대), ``re`` builds no jump table for an alternation, and on Korean text such a scan
measured 60-80 MB/s before any Python ran. Names sit at word starts, though, and a pattern
whose first item is a literal space is scanned by ``re``'s fast single-character search. The
one scan pattern therefore anchors at spaces (the text is normalised once: a space is
prepended, and colons and opening parentheses become spaces, one character for one so that
offsets keep; the scan also sees line breaks and record separators as spaces), checks the surname and given-name syllable classes, then the cue with a
two-character gate before a trie, all in C, and hands Python only the likely hits. Python
re-reads the few characters around each and applies the stop words and the scoring with dict
and set lookups; per-name results are cached, since names repeat.

Why hand-written rules rather than a model: no Korean NER model can be downloaded where jikimi
is built and run, and a neural tagger would be about a hundred times slower than this scan
while still needing the same span rules on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from jikimi.detect.finding import Finding
from jikimi.detect.keywords import CONTEXT, NEGATIVE
from jikimi.detect.registry import Recognizer

_ENTITY = "PERSON"
_RECOGNIZER_NAME = "kr_person"
_MIN_REPORT = 0.35
"""Scores below this are not worth an object: the engine drops everything under 0.5 anyway."""

MASK_CHARS = "*＊○◯●◎□■△▲◇◆Xㅇ"
"""Characters that stand for a hidden syllable in masked names (김*수, 홍○동, 이ㅇㅇ)."""
_MASKS = frozenset(MASK_CHARS) | {"O", "Ｏ"}


# --------------------------------------------------------------------------------------------
# data


def _data_rows(name: str) -> list[list[str]]:
    """Rows of a data file, comments and blank lines removed, split on white space."""
    text = resources.files("jikimi.detect").joinpath("data", name).read_text(encoding="utf-8")
    rows: list[list[str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append(line.split("\t") if "\t" in line else line.split())
    return rows


def _words(text: str) -> list[str]:
    return text.split()


SURNAME_SHARE: dict[str, float] = {r[0]: float(r[1]) for r in _data_rows("surnames.tsv")}
"""Surname -> percent of the population (2015 census, Hanja variants summed)."""

COMPOUND_SURNAMES = frozenset(s for s in SURNAME_SHARE if len(s) == 2)
GIVEN_CLASS: dict[str, int] = {r[0]: int(r[1]) for r in _data_rows("person_given_syllables.tsv")}
"""Given-name syllable -> 1 (very common), 2 (common), 3 (rare); absent means implausible."""

STOP_WORDS = frozenset(w for row in _data_rows("person_stopwords.txt") for w in row)
"""Common words that look like names: rejected unless a strong cue marks them (see HARD_STOP)."""
NON_NAMES = frozenset(w for row in _data_rows("person_nonnames.txt") for w in row)

_AFTER: dict[str, float] = {}
"""Cue after a name -> base score."""
_BEFORE: dict[str, float] = {}
"""Label before a name -> base score."""
for _cue, _role, _score in _data_rows("person_cues.tsv"):
    if _role in ("after", "both"):
        _AFTER[_cue] = float(_score)
    if _role in ("before", "both"):
        _BEFORE[_cue] = float(_score)
for _cue in list(_AFTER):
    if not _cue.endswith("님") and _cue + "님" not in _AFTER:
        _AFTER[_cue + "님"] = min(0.95, _AFTER[_cue] + 0.02)
_NEEDS_COPULA = frozenset({"저는", "나는", "저", "나"})
"""Self-introductions: 저는 김민준입니다 and 나 김민준이야 name someone, 저는 이번에 and 나 지금 가 do
not. The copula after the name is the cue; the stop words still apply (나 천재야, 저 주부예요)."""
_WEAK_LABELS = _NEEDS_COPULA | {"참석", "수신", "발신", "참조", "명단", "학생"}
"""Labels too loose to vouch for a common word or a long name after them (참조 정보, 학생 정원)."""
_WEAK_AFTER = frozenset(
    {"군", "양", "담당자", "대표", "대표이사", "담임", "영문성명", "영문명", "영문이름"}
)
"""Words after a name that also follow departments and tasks (전자결재 담당자, 정부지원 대표)."""
_SELF_WORDS = frozenset(
    _words("천재 천사 부자 백수 주부 동기 동갑 동창 공범 막내 남친 여친 인싸 고딩 차남 차녀 남남")
)
"""What people call themselves after 나/저 (나 천재야, 저 주부예요): not names there, though
they may be elsewhere (경조사 안내: 백수 대리 부친상)."""
_ROLE_MODIFIERS = frozenset(
    _words(
        "신규 기존 정규 장기 유료 임시 여성 남성 성인 노인 소아 유아 고령 임신 우수 휴면 공식 정식 "
        "정기 주요"
    )
)
"""Words that qualify a role noun after them ((신규 고객, 기존 고객), 정규 회원, 소아 환자): never a
name before a title, though a label may still introduce one (성명 정규,)."""
_NOUN_CUES = frozenset({"환자", "환자분", "학생", "보호자"})
"""Role nouns that take a procedure or a status before them (이식 환자, 투석 환자, 전학 학생): no
common word before them is read as a name, however the field is laid out."""


_LATIN_CUES: dict[str, float] = {}
"""Title or label word before a Latin-script name -> base score."""
for _group, _base in (
    ("Mr Mr. Mrs Mrs. Ms Ms. Miss Mx Mx. Dr Dr. Prof Prof. MR MR. MRS MRS. MS MS. DR DR.", 0.9),
    ("Name name NAME Attn Attn. ATTN", 0.9),
    ("Dear DEAR", 0.85),
    ("Patient patient PATIENT Customer customer Employee employee Nurse nurse", 0.75),
    ("Applicant applicant Doctor doctor Professor professor", 0.75),
    ("Sincerely, Regards, regards, Hi Hello holder Holder", 0.7),
    ("CEO 주민 외국인 Contact contact From To Cc", 0.8),
):
    for _w in _words(_group):
        _LATIN_CUES[_w] = _base

_LATIN_TO_VERBS = ("issued", "sent", "assigned", "transferred", "addressed", "delivered", "paid")
"""Verbs whose "to" introduces a person in English records (issued to Jane Doe)."""

_LATIN_STOP = frozenset(
    _words(
        "Sir Madam Madame Customer Customers Valued Team All Hiring Manager Member Members "
        "Friend Friends Colleague Colleagues User Users Patient Patients Doctor Mr Mrs Ms Miss "
        "Mx Dr Prof Client Clients Partner Partners Applicant Candidate Student Students Parent "
        "Parents Guest Guests Shareholder Editor Support Admin Everyone Ladies Gentlemen Board "
        "Committee Professor Nurse Name Number ID Information Info Care Record Records Details "
        "Service Services Portal Unknown Redacted The A An This That Please Thank Thanks Hello "
        "Hi Dear Sincerely Regards Best Korea Korean Seoul English Monday Tuesday Wednesday "
        "Thursday Friday Saturday Sunday World There Alien Card Business See Passport Phone "
        "Email Date Address Account Registration No Tel Mobile Birth Nationality Visa Inc Ltd "
        "Co Corp Hospital Clinic Bank Street Road Apt Room Order Invoice Ref Driver License "
        "Licence Vehicle Release Version Health Insurance Mr Mrs Ms"
    )
)
"""Capitalised words that follow a title or label but are not names (Dear Customer)."""

_PARTICLES = _words(
    "이 가 은 는 을 를 의 에 에게 에게서 께 께서 께서는 께서도 도 와 과 랑 이랑 하고 한테 한테서 만 "
    "로 으로 이나 나 요 이요 이야 이다 입니다 이고 이며 이에요 예요 이세요 이시고 인데 인데요 "
    "이라고 라고 이라는 라는 이란 란 이었 였 인 님 씨 들 도요 은요 는요 처럼 부터 까지 보다 에게는 에게도"
)
_COPULAS = frozenset(
    _words(
        "입니다 이고 이며 이에요 예요 이라고 라고 이라고요 이요 인데 인데요 입니다만 이었습니다 였습니다 "
        "이야 야"
    )
)
_SUFFIXES = frozenset(
    [*_PARTICLES] + [h + p for h in [*_AFTER, "님께", "님께서"] for p in ["", *_PARTICLES]]
)
"""What may follow a name read after a label: particles, copulas, honorifics and titles."""

_HANGUL_WORD = re.compile("[가-힣]{2,6}")
HARD_STOP = frozenset(
    NON_NAMES
    | {w for w in STOP_WORDS if len(w) >= 3}
    | {c for c in [*_AFTER, *_BEFORE] if _HANGUL_WORD.fullmatch(c)}
    | {w for ws in [*CONTEXT.values(), NEGATIVE] for w in ws if _HANGUL_WORD.fullmatch(w)}
)
"""Words no cue turns into a name: the listed non-names (field names, adverbs, modifiers of role
nouns), every stop word of three or more syllables (신청서, 진단서), every cue word and every
context keyword of the identifier recognizers (주소, 연락처). A two-syllable stop word outside
this set (표현, 정자, 조원) is a name when a strong cue marks it."""
_SOFT_STOP = 0.1
"""Score taken off a common word read as a name on a strong cue: the other reading stays possible."""

_PARTICLE_ENDS = frozenset("이가은는을를의도와과에")
_AFTER_FINAL = ("은", "을", "과", "아", "으로", "이나", "이랑", "이야", "이라", "이란", "이에요")
"""Particle forms used after a syllable with a final consonant (김민준은, 김민준과)."""
_AFTER_OPEN = ("는", "를", "와", "야", "나", "랑", "라고", "라는", "란", "예요", "였")
"""The forms used after an open syllable (이서아는, 이서아와)."""


def _particle_fits(last: str, rest: str) -> bool:
    """Whether ``rest`` can follow a name ending in ``last``: 김명준나 is not 김명준 + 나.

    Korean particles alternate on the final consonant of the syllable before them, which tells
    a particle glued to a name from a third given-name syllable.
    """
    o = ord(last) - 0xAC00
    if not 0 <= o < 11172:
        return True  # a masked syllable: no evidence either way
    final = o % 28 != 0
    if rest == "이" or rest == "가":
        return final == (rest == "이")
    if rest.startswith(_AFTER_FINAL):
        return final
    if rest.startswith(_AFTER_OPEN):
        return not final
    return True


_FOLLOW_OK = frozenset("이가은는을를의에께도와과랑하한만로으요야아입인였네처까부보시세들")
"""First syllables that may follow a name cue: a cue glued to other syllables is another word."""

_TRADE_WORDS = frozenset(
    _words(
        "건설 산업 전자 상사 물산 통상 무역 식품 제약 화학 건업 개발 기획 유통 물류 은행 증권 보험 "
        "카드 병원 의원 약국 학교 학원 식당 마트 상회 전기 설비 공업 기계 테크 정보 통신 에너지 "
        "농장 농원 목장 상점 문구 서점 공사 공단 재단 협회 조합 센터 치과 한의원 부동산"
    )
)
"""Second halves of company and shop names (강산건설, 한빛전자): a four-syllable "name" ending so
is a business, whatever label precedes it."""

_ENDINGS = frozenset("는된던을를의에로와과도만가적")
"""Endings that turn a stop word into a phrase that still looks like a name (정부+의, 이번+에).
Endings that are also common final syllables of given names (한, 은, 인: 정하은, 이상인) are
left out; adjectives with them (소중한, 정확한) are in the stop-word list instead."""


# --------------------------------------------------------------------------------------------
# the scan pattern


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


_TrieNode = dict[str, "_TrieNode"]


def _trie(words: Iterable[str], first: str = "") -> str:
    """A regex alternation shaped as a trie, so that ``re`` compares one character per branch.

    ``re`` tries alternatives in order, so the first characters listed in ``first`` (the most
    frequent cues) are tried before the others.
    """
    root: _TrieNode = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def order(ch: str) -> tuple[int, str]:
        i = first.find(ch)
        return (i if i >= 0 else len(first), ch)

    def emit(node: _TrieNode) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(node, key=order) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(root)


_SCAN_SURNAMES = {s for s, share in SURNAME_SHARE.items() if len(s) == 1 and share >= 0.0} | {
    s[0] for s in COMPOUND_SURNAMES
}
"""Surnames the scan starts a name with: every one in the table, rare ones (부, 가, 기, 인:
under 0.1 % each) included, and the first syllables of two-syllable surnames (제갈, 사공, 독고).
Rare surnames start many common words and cost the names pass about a fifth more time on the
bench corpus, but leaving them out missed 1-2 % of names; for a de-identification tool recall
comes first (measured: PERSON recall 97.4 % → 98.3 %, precision unchanged, 20k-record corpus)."""
_GIVEN_SCAN = (
    {c for c, k in GIVEN_CLASS.items() if (k <= 2 or c == "장") and c not in "양군"}
    | {s[1] for s in COMPOUND_SURNAMES}
    | _MASKS
)
"""Syllables the scan accepts in a given name. Rare ones (사, 생) would admit 선생님, 박사님;
장 is kept for names like 진장혜 (원장님, 소장님 are stop words); 양 and 군 are left out so that
김서연양 ends the name before the honorific."""

_MULTI_CUES = [c for c in _AFTER if len(c) > 1]
_ONE_CUES = "".join(sorted(c for c in _AFTER if len(c) == 1))
_SPLIT_CUES = {"객님": "고객님", "원님": "회원님", "생님": "선생님"}
"""The run of given-name syllables may swallow the first syllable of these cues (김민준고|객님)."""
_ROMAN_LABELS = frozenset({"영문성명", "영문명", "영문이름"})
"""Labels of a romanised name that often follow the Hangul one: (김민준, 영문성명 KIM MINJUN)."""
_NIM_HOSTS = frozenset(c[:-1] for c in _AFTER if len(c) == 3 and c.endswith("님"))
"""Two-syllable words that take 님 (회원, 고객): 김현회원님 is 김현 + 회원님, not 김현회원 + 님."""

_LABEL_LAST = set("명름함자인분람주사객당표족포부모나저 )") | {w[-1] for w in _LATIN_CUES}
_LABEL_LAST.update("은는")  # 이름은 김민준: the particle forms get their own second check
"""Last syllables of the labels the scan lets through; a label ending otherwise (주치의, 저는)
must carry a particle or be found by a cue after the name."""
_LABEL_LAST2 = (
    {w[-2] for w in [*_BEFORE, *_LATIN_CUES] if len(w) > 1 and w[-1] in _LABEL_LAST}
    | _LABEL_LAST
    | {w.rstrip(".,")[-1] for w in _LATIN_CUES}
    | {"보"}  # 주문자 정보: 홍길동
)
"""Second check of the label gate: the syllable before the label's last one (or, after a colon
turned into a space, the label's last one)."""
_LABEL_PARTICLE_HOSTS = set("름함명자주인저당객의나")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LATIN_GATE = {w.rstrip(".,")[-1] for w in _LATIN_CUES} | set(".,o") | _LABEL_LAST | set("민")

_G = _char_class(_GIVEN_SCAN)
_M = _char_class(_MASKS)
_GATE_CUES = [*_MULTI_CUES, *_SPLIT_CUES]
_SYLLABLE = "[가-힣" + "".join(re.escape(c) for c in sorted(_MASKS)) + "]"
_SCAN = re.compile(
    " "
    + _char_class(_SCAN_SURNAMES | set(_UPPER))
    + "(?:"
    # 1: a masked name (김*수, 홍○동, 김**)
    + f"{_M}(?<=[가-힣].)()"
    # 2: the cue after the given-name run, attached or after one or two spaces. It is only
    # looked at, not consumed, so that the scan goes on at the word after the name.
    + f"|{_G}{{1,3}}+(?= {{0,2}}+"
    + f"(?={_char_class(c[0] for c in _GATE_CUES)}{_char_class(c[1] for c in _GATE_CUES)}"
    + f"|{_char_class(_ONE_CUES)})"
    + f"({_trie([*_AFTER, *_SPLIT_CUES], first='님씨고회선과대팀부차실원교간환')})"
    + f"(?=[^가-힣]|{_char_class(_FOLLOW_OK)}|\\Z))"
    # 3: a label may end just before this word; the match runs to the end of the word
    + f"|(?<={_char_class(_LABEL_LAST)} .)"
    + f"(?<={_char_class(_LABEL_LAST2)}{_char_class(_LABEL_LAST - set('은는'))} ."
    + f"|{_char_class(_LABEL_PARTICLE_HOSTS)}[은는] .)"
    + f"{_SYLLABLE}{{0,9}}+()"
    # 4: a Latin-script name after a title or label
    + f"|[a-zA-Z'’-](?<={_char_class(_LATIN_GATE)} ..)()"
    + ")",
    re.DOTALL,
)
_FINDITER = _SCAN.finditer
_RUN = re.compile(f"{_SYLLABLE}{{1,12}}")
_LATIN_NAME = re.compile(
    r"[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]+)*"
    r"(?: (?:[A-Z]\.|[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]+)*)){0,2}"
    r"|[A-Z]{2,}(?:-[A-Z]{2,})?(?: [A-Z]{2,}(?:-[A-Z]{2,})?){1,2}(?![A-Za-z])"
)
_LIST_GAP = re.compile(f"(?: {{1,2}}(?:{_trie(_AFTER)}))? *(?:[,、·/]|및|그리고) *")
"""Between two listed names: an optional title of the first name, then a separator."""
_CONJ = frozenset({"와", "과", "랑", "이랑", "하고"})
_LIST_PUNCT = frozenset(",、·/")
"""Separators right after a name that start a list; the list reader runs only after one."""


# --------------------------------------------------------------------------------------------
# scoring


def _surname_penalty(surname: str) -> float:
    if len(surname) == 2:
        return 0.02  # compound surnames are rare but almost never start a common word
    share = SURNAME_SHARE[surname]
    if share >= 1.0:
        return 0.0
    if share >= 0.3:
        return 0.04
    if share >= 0.1:
        return 0.1
    return 0.2


def _given_penalty(given: str, strong: bool = False) -> float:
    """Penalty of a given name: rare syllables, and a length other than two syllables unless a
    strong cue marks the name (a form slot holds the name whatever its length)."""
    pen = 0.0
    masks = 0
    for c in given:
        if c in _MASKS:
            masks += 1
            continue
        cls = GIVEN_CLASS.get(c, 0)
        if cls == 0:
            pen += 0.35
        elif cls == 2:
            pen += 0.05
        elif cls == 3:
            pen += 0.15
    n = len(given)
    if masks == n:
        pen += 0.05
    if n == 1:
        pen += 0.04 if strong else 0.12  # a minority, and two-syllable words abound
    elif n == 3:
        pen += 0.06 if strong else 0.22  # three-syllable given names exist but are rare
    return pen


_QUALITY_CACHE: dict[str, float] = {}


def _quality(name: str) -> float:
    """Penalty (0 = a typical name), or -1 when ``name`` cannot be a name or is a common word."""
    q = _compute_quality(name)
    if len(_QUALITY_CACHE) > 100_000:
        _QUALITY_CACHE.clear()
    _QUALITY_CACHE[name] = q
    return q


def _compute_quality(name: str) -> float:
    n = len(name)
    if n < 2 or n > 4 or name in STOP_WORDS:
        return -1.0
    head = name[:2]
    compound = n >= 3 and head in COMPOUND_SURNAMES
    if not compound and n >= 3 and head in STOP_WORDS and (n == 4 or name[2] in _ENDINGS):
        return -1.0  # 소중한, 이상한, 전자결재
    if n == 4 and (name[:3] in STOP_WORDS or name[2:] in _TRADE_WORDS):
        return -1.0
    best = -1.0
    if compound:
        best = _given_penalty(name[2:]) + _surname_penalty(head)
    if name[0] in SURNAME_SHARE:
        p = _given_penalty(name[1:]) + _surname_penalty(name[0])
        if best < 0.0 or p < best:
            best = p
    return best


_STRONG_CACHE: dict[str, float] = {}


def _strong_quality(name: str) -> float:
    """Penalty of ``name`` read on a strong cue, or -1 when not even a strong cue makes it a name.

    A strong cue is a form label with the name standing alone after it (성명 표현, / 보호자 남아
    20.12.11) or a title with the name standing alone before it ((이식 고객, / 정성지혁 선배). It
    lifts the length prior (박명세숙, 선우동미진, 위균) and lets a two-syllable common word through
    at a lower score (_SOFT_STOP); HARD_STOP words and phrases built on a common word (정부지원,
    조원들) stay out.
    """
    q = _STRONG_CACHE.get(name)
    if q is None:
        q = _compute_strong_quality(name)
        if len(_STRONG_CACHE) > 100_000:
            _STRONG_CACHE.clear()
        _STRONG_CACHE[name] = q
    return q


def _compute_strong_quality(name: str) -> float:
    n = len(name)
    compound = n >= 3 and name[:2] in COMPOUND_SURNAMES
    if n < 2 or n > (5 if compound else 4) or name in HARD_STOP:
        return -1.0
    extra = 0.0
    if name in STOP_WORDS:
        if n > 2:
            return -1.0
        extra = _SOFT_STOP
    head = name[:2]
    if (
        not compound
        and n == 3
        and (head in HARD_STOP or (head in STOP_WORDS and name[2] in _ENDINGS | {"들"}))
    ):
        return -1.0  # 이번주, 조원들, 정자가
    if (
        not compound
        and n == 4
        and (
            name[:3] in STOP_WORDS
            or name[2:] in STOP_WORDS
            or name[2:] in HARD_STOP
            or name[2:] in _TRADE_WORDS
            or (
                head in HARD_STOP
                and not (GIVEN_CLASS.get(name[2]) == GIVEN_CLASS.get(name[3]) == 1)
            )
        )
    ):
        # 정부지원, 고객센터, 강산건설, 정보보호; but 이건유선 and 최종우진 are names: after a
        # common word, two very common given-name syllables make a name more likely than a word
        return -1.0
    best = -1.0
    if compound:
        best = _given_penalty(name[2:], True) + _surname_penalty(head)
    if n <= 4 and name[0] in SURNAME_SHARE:
        p = _given_penalty(name[1:], True) + _surname_penalty(name[0])
        if best < 0.0 or p < best:
            best = p
    return best + extra if best >= 0.0 else -1.0


_CLOSE = frozenset(",/)]\n\0;|.!?")
"""Characters that end a field value right after a name (the opening parenthesis and the colon
are spaces in the normalised text)."""
_FIELD_NEXT = tuple(
    _words(
        "주민 생년월일 생일 출생 연락처 전화 휴대폰 핸드폰 휴대전화 이메일 메일 주소 우편번호 여권 "
        "운전면허 면허 외국인 사업자 등록번호 계좌 카드 건강보험 증번호 나이 성별"
    )
)
"""Field labels that may follow a name in a record without a comma (성명 강수 주민등록번호 ...)."""
_ANCHOR_PREV = frozenset(" ,\n\0-|/·;)]>~.!?")
"""Characters before the space in front of a name that start a field or a sentence (a space
there was an opening parenthesis or a colon, or the text is laid out in columns)."""


def _closed(t: str, e: int) -> bool:
    """Whether the name ending at ``e`` stands alone as a field value.

    It does at the end of the text, before punctuation (a colon or an opening parenthesis shows as
    a second space), and before a number, a Latin word, a field label or a title (남아 20.12.11,
    고범인성 Passport, 강수 주민등록번호, 정서 원장); a Korean word that goes on the sentence
    (이미 확인했습니다) does not close it.
    """
    c = t[e : e + 1]
    if not c or c in _CLOSE:
        return True
    if c != " ":
        return False
    d = t[e + 1 : e + 2]
    if not d or d == " " or d in _CLOSE or d in "-[<~" or (d.isascii() and d.isalnum()):
        return True  # two spaces: a colon, or a parenthesis after a space (원솔정린 (총 3명)
    j = e + 1
    if not "가" <= d <= "힣":
        return False
    if t.startswith(_FIELD_NEXT, j):
        return True
    m = _RUN.match(t, j)
    w = m.group() if m is not None else ""
    return w in _AFTER or (w[-1:] in _PARTICLE_ENDS and w[:-1] in _AFTER)


def _anchored(t: str, ns: int) -> bool:
    """Whether the name after the space at ``ns`` starts a field: at the start of the text, a line,
    a record or a sentence, or after a comma, a dash, a bracket, a colon or an opening
    parenthesis."""
    return ns == 0 or t[ns] in "\n\0" or t[ns - 1] in _ANCHOR_PREV


_new_tuple = tuple.__new__
"""Finding is a named tuple; building it from a ready tuple skips the keyword-argument layer,
which costs more than scanning the record the finding came from."""


# --------------------------------------------------------------------------------------------
# reading names next to a cue


def _split_run(run: str, need_copula: bool = False) -> tuple[int, float] | None:
    """Split a run of syllables that starts with a name: (name length, penalty) or None.

    After a label the name comes with whatever is glued to it (particles, copula, honorific,
    title). The split that leaves a known suffix wins, a two-syllable given name first because
    it is by far the most common, then one syllable, then three.
    """
    n = len(run)
    if n == 3 and not need_copula and run[2] not in "님씨":  # the usual case: a bare name
        q = _QUALITY_CACHE.get(run)
        if q is None:
            q = _quality(run)
        if q >= 0.0 or run[:2] not in COMPOUND_SURNAMES:
            return (3, q) if q >= 0.0 else None
    sl = 2 if n >= 3 and run[:2] in COMPOUND_SURNAMES else 1
    for gl in (2, 1) if sl == 2 else (2, 1, 3):
        k = sl + gl
        if k > n:
            continue
        rest = run[k:]
        if need_copula:
            if rest not in _COPULAS:
                continue
        elif rest and rest not in _SUFFIXES:
            continue
        if (rest and not _particle_fits(run[k - 1], rest)) or run[k - 1] in "님씨":
            continue
        if (
            rest
            and run[k - 1] == "이"
            and k > sl + 1
            and ("이" + rest in _COPULAS if need_copula else "이" + rest in _SUFFIXES)
            and _particle_fits(run[k - 2], "이" + rest)
        ):
            k -= 1  # 노철이야: 이 after a closed syllable is the particle, not a third syllable
        name = run[:k]
        q = _QUALITY_CACHE.get(name)
        if q is None:
            q = _quality(name)
        if q < 0.0 or (need_copula and name in _SELF_WORDS):
            return None
        return k, q
    return None


def _read_name(
    t: str, run: str, run_end: int, base: float, strong: bool, need_copula: bool = False
) -> tuple[int, float] | None:
    """The name at the start of ``run`` (which ends at ``run_end`` in ``t``) after a label.

    When the label is strong and the run stands alone as a field value, the whole run is read on
    the strong cue (_strong_quality): 성명 표현, / 고객 박명세숙, / 성함 선우동미진, are names. The
    strong reading is only tried where it can change the outcome (no name, or one scored below
    the engine's 0.5 threshold plus a margin), which keeps it off the common path.
    """
    r = _split_run(run, need_copula)
    if strong and (r is None or (r[0] == len(run) and base - r[1] < 0.6)):
        qs = _STRONG_CACHE.get(run)
        if qs is None:
            qs = _strong_quality(run)
        if qs >= 0.0 and (r is None or qs < r[1]) and _closed(t, run_end):
            return len(run), qs
    return r


def _label_before(t: str, a: int) -> tuple[str, float] | None:
    """The label that ends just before the space at ``a``, with its score, if there is one.

    Only a short window is searched, and never past a record separator, so that the cost stays
    constant however long the text and no label is taken from a neighbouring record. A label
    qualified by a word after it (성명(한글), 예금주 확인) is looked up before that word, in a
    loop rather than by recursion, so that no chain of such words can exhaust the stack.
    """
    while True:
        found = _label_at(t, a)
        if isinstance(found, int):
            a = found
            continue
        return found


def _label_at(t: str, a: int) -> tuple[str, float] | int | None:
    """One step of :func:`_label_before`: the label, None, or where to look next."""
    e = a
    while e > 1 and t[e - 1] == " ":  # a colon became a space
        e -= 1
    if e <= 1:
        return None  # nothing but the space put in front of the text
    lo = max(0, e - 12)
    w = t.rfind(" ", lo, e)
    if w < 0 or "\0" in t[w:e] or "\n" in t[w:e]:
        w = max(w, t.rfind("\0", lo, e), t.rfind("\n", lo, e))
        if w < 0:
            return None
    word = t[w + 1 : e]
    s = _BEFORE.get(word)
    if s is not None:
        return word, s
    # the rarer shapes: 이름은, 성명(한글), 받는 분, Dear
    if word.endswith((")", "]")):
        word = word.rstrip(")]")
        if word in ("한글", "국문", "한자", "영문") and t[w] == " ":
            return w  # 성명(한글): the label is the word before
        return None  # (김민준 보호자) 진단서: a closed aside names the name before it
    if word in ("확인", "정보") and t[w] == " ":
        return w  # 예금주 확인: 김민준, 주문자 정보: 홍길동
    if word in ("From", "To", "Cc") and a - e < 1:
        return None  # mail headers count only with their colon (From: Kim Min-jun)
    if word == "to" and t[w] == " " and t[max(0, w - 12) : w].endswith(_LATIN_TO_VERBS):
        return word, 0.8  # issued to Jane Doe
    s = _BEFORE.get(word)
    if s is None and word and word[-1] in "은는이가":
        s = _BEFORE.get(word[:-1])
        if s is not None:
            word = word[:-1]
    if s is None and word in ("분", "사람", "분께") and t[w] == " ":
        lo2 = max(0, w - 8)
        w2 = max(t.rfind(" ", lo2, w), t.rfind("\0", lo2, w), t.rfind("\n", lo2, w))
        if w2 >= 0:
            word = t[w2 + 1 : w] + " " + word
            s = _BEFORE.get(word)
    if s is None:
        s = _LATIN_CUES.get(word)
    if s is None:
        return None
    return word, s


def _list_follows(t: str, end: int) -> bool:
    """Whether a list separator follows a name ending at ``end`` (perhaps after its title)."""
    nx = t[end : end + 1]
    if nx in _LIST_PUNCT:
        return True
    if nx != " ":
        return False
    return t.find(",", end, end + 9) >= 0 or t[end + 1 : end + 2] in ("및", "/")


def _read_latin(t: str, p: int) -> tuple[int, float] | None:
    """Read a Latin-script name at ``p``: (end, penalty) or None."""
    m = _LATIN_NAME.match(t, p)
    if m is None:
        return None
    tokens = m.group().split(" ")
    keep = 0
    for tok in tokens:
        if tok in _LATIN_STOP or tok.rstrip(".") in _LATIN_STOP:
            break
        keep += 1
    if keep and len(tokens[keep - 1]) == 2 and tokens[keep - 1].endswith("."):
        keep -= 1  # a trailing initial is not part of the name
    if keep == 0:
        return None
    end = p + len(" ".join(tokens[:keep]))
    nx = t[end + 1 : end + 2]
    if keep == 3 and t[end : end + 1] == " " and (nx.islower() or "0" <= nx <= "9"):
        # "Jane Doe Card ending 1234": a third capitalised word that starts a phrase
        keep = 2
        end = p + len(" ".join(tokens[:2]))
    return end, (0.12 if keep == 1 else 0.0)


def _read_list(t: str, p: int, label: str, base: float, hits: list[tuple[int, int, float]]) -> None:
    """Read the name after a label at ``p`` and any names listed after it."""
    if "A" <= t[p : p + 1] <= "Z":
        lr = _read_latin(t, p)
        if lr is not None:
            hits.append((p - 1, lr[0] - 1, base - lr[1]))
            if label in _ROMAN_LABELS:
                _hangul_before_roman(t, p, label, base, hits)
        return
    if label == "to":
        return  # "delivered to" precedes addresses as often as people; only Latin names count
    rm = _RUN.match(t, p)
    if rm is None:
        return
    run = rm.group()
    strong = label not in _WEAK_LABELS
    r = _read_name(t, run, rm.end(), base, strong, label in _NEEDS_COPULA)
    if r is None:
        return
    k, q = r
    hits.append((p - 1, p - 1 + k, base - q))
    if run[:k] in STOP_WORDS:
        return  # a common word read as a name on its strong cue opens no list (대상자: 소아, 성인)
    rest = run[k:]
    if rest in _CONJ:
        _read_list_more(t, rm.end(), True, base, hits, strong)
    elif (not rest or rest in _AFTER) and _list_follows(t, rm.end()):
        _read_list_more(t, rm.end(), False, base, hits, strong)


def _hangul_before_roman(
    t: str, p: int, label: str, base: float, hits: list[tuple[int, int, float]]
) -> None:
    """The Hangul name written just before "영문성명 <romanised name>", after a comma."""
    lp = t.rfind(label, max(0, p - len(label) - 4), p)
    if lp < 4 or t[lp - 2 : lp] != ", ":
        return
    e = lp - 2
    s = e
    while s > e - 6 and "가" <= t[s - 1] <= "힣":
        s -= 1
    if s == e or t[s - 1] not in " \n":
        return
    run = t[s:e]
    # "(안주, 영문성명 ...)": the name stands alone in its field, a strong cue
    r = _split_run(run)
    q = r[1] if r is not None and r[0] == len(run) else -1.0
    qs = _strong_quality(run)
    if qs >= 0.0 and (q < 0.0 or qs < q):
        q = qs
    if q >= 0.0:
        hits.append((s - 1, e - 1, base - q - 0.05))


def _read_list_more(
    t: str,
    pos: int,
    conj: bool,
    base: float,
    hits: list[tuple[int, int, float]],
    strong: bool = False,
) -> None:
    """Names listed after one already read ("김민준, 이서연 및 박지훈", "김민준 과장, 이서연 대리")."""
    n = len(t)
    for _ in range(30):
        if conj:
            p = pos
            while p < n and t[p] == " ":
                p += 1
        else:
            gm = _LIST_GAP.match(t, pos)
            if gm is None:
                return
            p = gm.end()
        rm = _RUN.match(t, p)
        if rm is None:
            return
        run = rm.group()
        r = _read_name(t, run, rm.end(), base, strong)
        if r is None:
            return
        k, q = r
        hits.append((p - 1, p - 1 + k, base - q - 0.03))
        rest = run[k:]
        conj = rest in _CONJ
        if rest and not conj and rest not in _AFTER:
            return
        pos = rm.end()


# --------------------------------------------------------------------------------------------
# the recognizer


def find_persons(text: str) -> list[Finding]:
    """Names in ``text`` that a cue marks, each with its own span (lists give one each)."""
    # One character for one: offsets in t are those in text plus one.
    t = " " + text
    if ":" in t:
        t = t.replace(":", " ")
    if "(" in t:
        t = t.replace("(", " ")
    if "\t" in t or "\r" in t or "：" in t:
        t = t.replace("\t", " ").replace("\r", " ").replace("：", " ")
    # The scan sees line breaks and NUL (the engine joins records with it) as spaces, so that a
    # name opening a line or a record is anchored. The reading below sees them as they are: a
    # label may stand on the line above its name, but no label, cue or list is ever taken from
    # a neighbouring record, and no Latin name runs on into the next line.
    ts = t.replace("\n", " ") if "\n" in t else t
    sep = "\0" in t
    if sep:
        ts = ts.replace("\0", " ")
    hits: list[tuple[int, int, float]] = []
    cue_at = -1  # where the last spaced cue began: 장수아 양이 ... is not a name 양이
    for m in _FINDITER(ts):
        kind = m.lastindex
        if kind == 2:
            # the hot path: a name and the honorific or title after it
            ne = m.end()
            cs, ce = m.span(2)
            if sep and cs > ne and "\0" in t[ne:cs]:
                # the cue opens the next record; a label before the name may still hold
                rm = _RUN.match(t, m.start() + 1)
                if rm is not None:
                    _after_label(t, m.start(), rm.end(), hits)
                continue
            cue = t[cs:ce]
            base = _AFTER.get(cue)
            if base is None:  # 김민준고|객님: the run took the first syllable of the cue
                if cs != ne:
                    continue
                ne -= 1
                cue = _SPLIT_CUES[cue]
                base = _AFTER[cue]
            elif cs == ne and cue == "님" and t[ne - 2 : ne] in _NIM_HOSTS:
                ne -= 2  # 김현|회원|님: the run took 회원 of 회원님
                cue = t[ne:ce]
                base = _AFTER[cue]
            ns = m.start()
            name = t[ns + 1 : ne]
            if ns + 1 == cue_at and name[1:] in _SUFFIXES:
                continue
            if (
                len(name) == 4
                and name[3] in _PARTICLE_ENDS
                and name[:2] not in COMPOUND_SURNAMES
                and _particle_fits(name[2], name[3])
            ):
                ne -= 1  # 김민준이 과장으로: the particle is not part of the name
                name = name[:3]
            q = _QUALITY_CACHE.get(name)
            if q is None:
                q = _quality(name)
            if (
                (q < 0.0 or base - q < 0.6)
                and cue not in _WEAK_AFTER
                and name not in _ROLE_MODIFIERS
                and _anchored(t, ns)
            ):
                # the name opens a field and a title follows it: a strong cue (정성지혁 선배);
                # a common word needs the field closed after the title too ((이식 고객,)
                qs = _strong_quality(name)
                if (
                    qs >= 0.0
                    and (q < 0.0 or qs < q)
                    and (name not in STOP_WORDS or (cue not in _NOUN_CUES and _closed(t, ce)))
                ):
                    q = qs
            score = base - q - (0.05 if cs - ne > 1 else 0.0)
            if q < 0.0 or score < 0.5:
                # a label before the name may vouch for it better (부양가족: 봉훈(배우자, ...))
                rm = _RUN.match(t, ns + 1)
                n0 = len(hits)
                if rm is not None:
                    _after_label(t, ns, rm.end(), hits)
                if len(hits) > n0 and all(h[0] != ns or h[1] != ne - 1 for h in hits[n0:]):
                    continue  # the label read another span: its reading stands alone
            if q >= 0.0:
                hits.append((ns, ne - 1, score))
                if cs > ne:
                    cue_at = cs
        elif kind == 3:
            _after_label(t, m.start(), m.end(), hits)
        elif kind == 4:
            a = m.start()
            label = _label_before(t, a) if t[a] != "\0" else None
            if label is not None:
                _read_list(t, a + 1, label[0], label[1], hits)
        else:
            _masked(t, m.start() + 1, hits)
    if not hits:
        return []
    if len(hits) > 1:
        hits.sort()
        kept: list[tuple[int, int, float]] = []
        for h in hits:
            if kept and kept[-1][0] == h[0] and kept[-1][1] == h[1]:
                kept[-1] = h  # the same span twice: sorted, so this score is the higher one
            else:
                kept.append(h)
        hits = kept
    return [
        _new_tuple(Finding, (_ENTITY, s, e, sc, _RECOGNIZER_NAME, None))
        for s, e, sc in hits
        if sc >= _MIN_REPORT
    ]


def _after_label(t: str, a: int, run_end: int, hits: list[tuple[int, int, float]]) -> None:
    """The word at ``a + 1`` may follow a label: check the label, then read the name(s)."""
    if t[a] == "\0" or a < 2:
        return  # the word opens the text or a record: no label before it
    # the label word, as in _label_before, inline for the common case
    e = a - 1 if t[a - 1] == " " else a
    w = t.rfind(" ", e - 7 if e > 7 else 0, e)
    word = t[w + 1 : e]
    base = _BEFORE.get(word) if w >= 0 else None
    if base is None or t[a + 1] < "가" or word in _NEEDS_COPULA:
        label = _label_before(t, a)
        if label is not None:
            _read_list(t, a + 1, label[0], label[1], hits)
        return
    # the common case, inline: one label, one name, perhaps more in a list
    run = t[a + 1 : run_end]
    strong = word not in _WEAK_LABELS
    q = -1.0
    if len(run) == 3:
        cached = _QUALITY_CACHE.get(run)
        q = _quality(run) if cached is None else cached
    if q >= 0.0 and base - q >= 0.6:
        k = 3  # a three-syllable name with a clear score: no other reading can beat it
    else:
        r = _read_name(t, run, run_end, base, strong)
        if r is None:
            return
        k, q = r
    hits.append((a, a + k, base - q))
    if q >= _SOFT_STOP and run[:k] in STOP_WORDS:
        return  # a common word read as a name on its strong cue opens no list (대표 정원, 현원)
    if k == len(run):  # nothing glued to the name; _list_follows, inline
        nx = t[run_end : run_end + 1]
        if nx in _LIST_PUNCT or (
            nx == " "
            and (t.find(",", run_end, run_end + 9) >= 0 or t[run_end + 1 : run_end + 2] in "및/")
        ):
            _read_list_more(t, run_end, False, base, hits, strong)
        return
    rest = run[k:]
    if rest in _CONJ:
        _read_list_more(t, run_end, True, base, hits, strong)
    elif rest in _AFTER and _list_follows(t, run_end):
        _read_list_more(t, run_end, False, base, hits, strong)


def _masked(t: str, p: int, hits: list[tuple[int, int, float]]) -> None:
    """A masked name needs no cue: 김*수 and 홍○동 are names whatever surrounds them."""
    rm = _RUN.match(t, p)
    if rm is None:
        return
    r = _split_run(rm.group())
    if r is not None and any(c in _MASKS for c in t[p : p + r[0]]):
        hits.append((p - 1, p - 1 + r[0], 0.72 - r[1] / 2))


RECOGNIZER = Recognizer(_RECOGNIZER_NAME, frozenset({_ENTITY}), find_persons)


def native_tables() -> dict[str, Any]:
    """The tables and character classes the native core's find_persons needs (native.py)."""
    return {
        "names.surname_share": SURNAME_SHARE,
        "names.compound_surnames": COMPOUND_SURNAMES,
        "names.given_class": GIVEN_CLASS,
        "names.stop_words": STOP_WORDS,
        "names.hard_stop": HARD_STOP,
        "names.after": _AFTER,
        "names.before": _BEFORE,
        "names.weak_labels": _WEAK_LABELS,
        "names.weak_after": _WEAK_AFTER,
        "names.needs_copula": _NEEDS_COPULA,
        "names.self_words": _SELF_WORDS,
        "names.role_modifiers": _ROLE_MODIFIERS,
        "names.noun_cues": _NOUN_CUES,
        "names.latin_cues": _LATIN_CUES,
        "names.latin_stop": _LATIN_STOP,
        "names.latin_to_verbs": list(_LATIN_TO_VERBS),
        "names.suffixes": _SUFFIXES,
        "names.copulas": _COPULAS,
        "names.trade_words": _TRADE_WORDS,
        "names.endings": "".join(sorted(_ENDINGS)),
        "names.particle_ends": "".join(sorted(_PARTICLE_ENDS)),
        "names.after_final": list(_AFTER_FINAL),
        "names.after_open": list(_AFTER_OPEN),
        "names.field_next": list(_FIELD_NEXT),
        "names.split_cues": dict(_SPLIT_CUES),
        "names.nim_hosts": _NIM_HOSTS,
        "names.roman_labels": _ROMAN_LABELS,
        "names.conj": _CONJ,
        "names.list_punct": "".join(sorted(_LIST_PUNCT)),
        "names.close": "".join(sorted(_CLOSE)),
        "names.anchor_prev": "".join(sorted(_ANCHOR_PREV)),
        "names.masks": "".join(sorted(_MASKS)),
        # the character classes of _SCAN, in its order
        "names.scan_first": "".join(sorted(_SCAN_SURNAMES | set(_UPPER))),
        "names.given_scan": "".join(sorted(_GIVEN_SCAN)),
        "names.gate0": "".join(sorted({c[0] for c in _GATE_CUES})),
        "names.gate1": "".join(sorted({c[1] for c in _GATE_CUES})),
        "names.one_cues": _ONE_CUES,
        "names.cue_words": [*_AFTER, *_SPLIT_CUES],
        "names.follow_ok": "".join(sorted(_FOLLOW_OK)),
        "names.label_last": "".join(sorted(_LABEL_LAST)),
        "names.label_last2": "".join(sorted(_LABEL_LAST2)),
        "names.label_last_np": "".join(sorted(_LABEL_LAST - set("은는"))),
        "names.label_particle_hosts": "".join(sorted(_LABEL_PARTICLE_HOSTS)),
        "names.latin_gate": "".join(sorted(_LATIN_GATE)),
        "names.soft_stop": _SOFT_STOP,
        "names.min_report": _MIN_REPORT,
    }
