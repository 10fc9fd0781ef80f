"""Context words per entity type, from ``shared/reference/korean-identifiers.md``.

Kept as data in one place so that the numeric recognizers, column classification (which reads
table headers) and the tests agree on them. Keywords are matched as substrings (see
:mod:`jikimi.detect.context`), so a stem such as ``계좌`` also covers ``입금계좌로``.
"""

from __future__ import annotations

import re

from jikimi.detect.context import keyword_pattern

CONTEXT: dict[str, tuple[str, ...]] = {
    "KR_RRN": (
        "주민등록번호", "주민번호", "주민등록", "주민 앞자리", "주민 뒷자리", "앞자리", "뒷자리",
        "주민등록증", "실명번호", "개인식별번호", "본인확인", "RRN", "resident registration",
        "jumin", "SSN", "주민",
    ),
    "KR_FRN": (
        "외국인등록번호", "외국인번호", "외국인등록증", "외국인", "등록증 번호", "체류자격",
        "국내거소신고번호", "거소신고", "ARC", "alien registration", "foreigner registration",
        "residence card", "FRN",
    ),
    "KR_CRN": (
        "법인등록번호", "법인번호", "등기번호", "법인등기", "등기사항", "corporate registration",
        "CRN",
    ),
    "KR_BRN": (
        "사업자등록번호", "사업자번호", "사업자 번호", "사업자등록", "사업자", "등록번호",
        "공급자", "공급받는자", "상호", "대표자", "고유번호", "BRN", "business registration",
        "tax ID",
    ),
    "KR_PASSPORT": (
        "여권번호", "여권", "passport", "발급일", "기간만료일", "영문성명", "출입국", "PP No",
    ),
    "KR_DRIVER_LICENSE": (
        "운전면허번호", "면허번호", "운전면허증", "운전면허", "면허증", "1종", "2종", "적성검사",
        "driver's licen", "driver licen", "driving licen", "licence no", "license no",
    ),
    "CREDIT_CARD": (
        "카드번호", "신용카드", "체크카드", "카드", "유효기간", "CVC", "CVV", "할부", "결제",
        "승인", "card", "visa", "master",
    ),
    "KR_BANK_ACCOUNT": (
        # Full bank names end in 은행/뱅크, which the stems below cover; bare words such as 우리
        # ("we"), 하나 ("one"), 기업 ("company") or 국민 ("citizens") are left out on purpose.
        "계좌번호", "계좌", "입금", "환불", "출금", "예금주", "은행", "가상계좌", "송금", "이체",
        "account", "acct", "bank", "뱅크", "KB", "신한", "농협", "NH", "IBK", "새마을금고", "우체국",
        "신협", "수협", "SC제일", "씨티", "KDB", "저축",
    ),
    "KR_HEALTH_INSURANCE": (
        "증번호", "건강보험증", "건강보험", "보험증", "피보험자", "가입자", "세대주", "요양기관",
        "건보", "health insurance", "NHI",
    ),
    "PHONE_NUMBER": (
        "연락처", "전화번호", "전화", "휴대폰", "핸드폰", "휴대전화", "폰번호", "폰", "긴급연락",
        "연락", "자택", "직장", "팩스", "FAX", "HP", "H.P", "Tel", "Mobile", "phone", "call",
        "대표번호", "고객센터", "문의", "콜센터", "상담", "M.", "T.", "customer service",
        "service", "hotline", "contact", "call", "번호", "☎", "TEL",
    ),
    "IP_ADDRESS": ("IP", "아이피", "접속", "로그", "서버", "host", "address", "addr"),
    "KR_POSTAL_CODE": ("우편번호", "우)", "(우", "[우", "우편", "주소", "배송지", "zip", "postal", "post code", "postcode"),
    "DATE_OF_BIRTH": (
        "생년월일", "생일", "출생", "태어", "DOB", "date of birth", "birth", "born", "생년",
    ),
    "KR_VEHICLE_PLATE": (
        "차량번호", "차번호", "자동차등록번호", "번호판", "차량", "주차", "입차", "출차", "차주",
        "vehicle", "plate", "license plate",
    ),
}

NEGATIVE: tuple[str, ...] = (
    "주문번호", "송장번호", "운송장", "승인번호", "거래번호", "접수번호", "예약번호", "영수증번호",
    "바코드", "상품코드", "제품코드", "모델명", "모델번호", "품번", "SKU", "일련번호", "시리얼",
    "serial", "order", "tracking", "invoice", "ticket", "티켓", "사건번호", "문서번호", "버전",
    "version", "build", "EAN", "ISBN", "회원번호", "관리번호", "결재번호",
)
"""Labels of reference numbers that share shapes with identifiers (hard negatives)."""

VERSION_WORDS: tuple[str, ...] = ("버전", "version", "ver", "v", "release", "build", "릴리스")

PATTERNS: dict[str, re.Pattern[str]] = {k: keyword_pattern(v) for k, v in CONTEXT.items()}
NEGATIVE_PATTERN = keyword_pattern(NEGATIVE)
NEGATIVE_KEY = "_NEGATIVE"
_EMPTY: frozenset[str] = frozenset()


def _keyword_types() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for etype, words in CONTEXT.items():
        for w in words:
            table.setdefault(w.lower(), set()).add(etype)
    for w in NEGATIVE:
        table.setdefault(w.lower(), set()).add(NEGATIVE_KEY)
    return {k: frozenset(v) for k, v in table.items()}


KEYWORD_TYPES = _keyword_types()
ALL_KEYWORDS = re.compile(
    "|".join(re.escape(k) for k in sorted(KEYWORD_TYPES, key=len, reverse=True))
)
"""Every context keyword of every type in one alternation, longest first: one search of a
candidate's window tells all the types it has context for (a longer keyword such as
외국인등록번호 wins over the shorter 등록번호 inside it, which is the intended reading). Matched
leftmost-longest: at each place the longest keyword, then on after it (the native core walks a
trie the same way)."""
_FIND = ALL_KEYWORDS.findall


def context_types(text: str, lo: int, start: int, end: int, hi: int) -> frozenset[str]:
    """The entity types whose keywords occur in ``text[lo:start]`` or ``text[end:hi]``, plus
    :data:`NEGATIVE_KEY` when the keyword nearest before the candidate labels a reference
    number (``주문번호 …``): the closest label is the one that describes the value."""
    types: set[str] = set()
    last: frozenset[str] = _EMPTY
    for m in _FIND(text[lo:start].lower()):
        last = KEYWORD_TYPES[m]
        types |= last
    if hi > end:
        for m in _FIND(text[end:hi].lower()):
            types |= KEYWORD_TYPES[m]
    if not types:
        return _EMPTY
    types.discard(NEGATIVE_KEY)
    if NEGATIVE_KEY in last:
        types.add(NEGATIVE_KEY)
    return frozenset(types)


BIRTH_GATE = re.compile(r"생년월일|생일|출생|태어|생년|년생|일생|DOB|dob|Birth|birth|BIRTH|born|Born")
"""Birth keywords (literals only, so the whole-text pass stays fast); date-of-birth patterns
run only in windows around them. Dates glued to 생 (``87.03.09생``) are caught by the
digit-group pass instead."""
