"""Korean particle agreement after replacements (jikimi.transform.particles)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.transform.particles import (
    NONE,
    OTHER,
    RIEUL,
    UNKNOWN,
    apply_replacements,
    final_sound,
    fix_particle,
)

# (replacement, text right after it, expected particle, characters of that text replaced)
CASES = [
    # 이/가
    ("수아", "이 왔다", "가", 1),
    ("김민준", "가 왔다", "이", 1),
    ("김민준", "이.", "이", 1),
    # 은/는
    ("수아", "은 학생이다", "는", 1),
    ("김민준", "는", "은", 1),
    # 을/를
    ("수아", "을 만났다", "를", 1),
    ("김민준", "를 만났다", "을", 1),
    # 과/와 (+ stacked particle)
    ("수아", "과 함께", "와", 1),
    ("김민준", "와 함께", "과", 1),
    ("수아", "과는 달리", "와", 1),
    ("김민준", "와도", "과", 1),
    # 으로/로: ㄹ takes 로
    ("서울", "으로 갔다", "로", 2),
    ("대전", "로 갔다", "으로", 1),
    ("대구", "으로", "로", 2),
    ("서울", "으로는", "로", 2),
    ("수아", "으로부터", "로부터", 4),
    ("김민준", "로서", "으로서", 2),
    # 이나/나, 이랑/랑
    ("수아", "이나 민준", "나", 2),
    ("김민준", "나 수아", "이나", 1),
    ("수아", "이랑 같이", "랑", 2),
    ("김민준", "랑 같이", "이랑", 1),
    # vocative 아/야 vs copula 이야/야
    ("수아", "아, 밥 먹자", "야", 1),
    ("민준", "야!", "아", 1),
    ("민준", "야, 일어나", "아", 1),
    ("민준", "야.", "이야", 1),
    ("수아", "이야?", "야", 2),
    # copula forms
    ("수아", "이에요.", "예요", 3),
    ("김민준", "예요?", "이에요", 2),
    ("김민준", "였다", "이었", 1),
    ("수아", "이었습니다", "였", 2),
    ("수아", "이라고 했다", "라고", 3),
    ("김민준", "라고 했다", "이라고", 2),
    ("김민준", "며 ", "이며", 1),
    ("수아", "이며,", "며", 2),
    ("수아", "이다.", "다", 2),
    ("김민준", "다.", "이다", 1),
    ("수아", "이지만 ", "지만", 3),
    ("김민준", "면 돼", "이면", 1),
    # words that merely start with a particle syllable are not particles
    ("김민준", "이사", "", 0),
    ("수아", "가방", "", 0),
    ("수아", "은행", "", 0),
    ("수아", "과일", "", 0),
    ("수아", "로봇", "", 0),
    # particles that do not alternate
    ("수아", "의 책", "", 0),
    ("수아", "에게", "", 0),
    ("수아", "도", "", 0),
    # labels: read by the last inner character
    ("<PERSON_1>", "가 왔다", "이", 1),  # 1 = 일
    ("<PERSON_2>", "이 왔다", "가", 1),  # 2 = 이
    ("<PERSON_1>", "으로", "로", 2),  # ㄹ
    ("<PERSON_3>", "로", "으로", 1),  # 삼
    ("<PERSON>", "가", "이", 1),  # N = 엔
    # digits, read digit by digit
    ("010-4821-7390", "를", "을", 1),  # 0 = 영/공
    ("02-734-5825", "을", "를", 1),  # 5 = 오
    ("7", "으로", "로", 2),  # 칠
    ("6", "로", "으로", 1),  # 육
    # Latin: letter names, with three word endings
    ("PHONE_NUMBER_K3JC", "을", "를", 1),  # C = 씨
    ("KB", "을", "를", 1),  # B = 비
    ("URL", "를", "을", 1),  # L = 엘
    ("URL", "으로", "로", 2),
    ("IBM", "를", "을", 1),  # M = 엠
    ("Google", "를", "을", 1),  # 구글
    ("Google", "으로", "로", 2),
    ("Jung", "가", "이", 1),  # 정
    ("Peter", "이", "가", 1),  # 피터
    ("Smith", "이", "가", 1),  # H = 에이치
    # brackets and quotes are skipped
    ("「수아」", "이 ", "가", 1),
    # unknown ending: the combined written form, or the original for a stem
    ("김**", "이 왔다", "이(가)", 1),
    ("김**", "를", "을(를)", 1),
    ("***", "로", "(으)로", 1),
    ("***", "과", "과(와)", 1),
    ("김**", "였다", "였", 1),
    # nothing to fix
    ("", "이 왔다", "", 0),
    ("수아", "", "", 0),
    ("수아", " 이", "", 0),
]


@pytest.mark.parametrize(("replacement", "following", "particle", "n"), CASES)
def test_fix_particle_table(replacement: str, following: str, particle: str, n: int) -> None:
    assert fix_particle(replacement, following) == (particle, n)


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("word", "final"),
    [
        ("수아", NONE), ("서울", RIEUL), ("김민준", OTHER), ("0", OTHER), ("1", RIEUL),
        ("2", NONE), ("3", OTHER), ("4", NONE), ("5", NONE), ("6", OTHER), ("7", RIEUL),
        ("8", RIEUL), ("9", NONE), ("A", NONE), ("L", RIEUL), ("R", RIEUL), ("M", OTHER),
        ("N", OTHER), ("Z", NONE), ("<PERSON_8>", RIEUL), ("<주소>", NONE), ("***", UNKNOWN),
        ("", UNKNOWN), ("ㅋ", UNKNOWN), ("Kim", OTHER), ("Park", NONE), ("Lee", NONE),
    ],
)
def test_final_sound(word: str, final: str) -> None:
    assert final_sound(word) == final


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        (
            "김민준이 수아를 만났다. 수아는 김민준과 서울로 갔다.",
            [(0, 3, "<PERSON_1>"), (5, 7, "박철"), (14, 16, "이영"), (18, 21, "최수아"), (23, 25, "대전")],
            "<PERSON_1>이 박철을 만났다. 이영은 최수아와 대전으로 갔다.",
        ),
        ("연락처는 010-4821-7390으로 주세요", [(5, 18, "02-734-5825")], "연락처는 02-734-5825로 주세요"),
        ("김민준이사가 왔다", [(0, 3, "수아")], "수아이사가 왔다"),  # 이사 is a noun
        ("민준아, 수아야.", [(0, 2, "수아"), (5, 7, "민준")], "수아야, 민준이야."),
        ("홍길동", [(0, 3, "<PERSON_1>")], "<PERSON_1>"),
        ("", [], ""),
        ("abc", [], "abc"),
    ],
)
def test_apply_replacements(text: str, spans: list[tuple[int, int, str]], expected: str) -> None:
    assert apply_replacements(text, spans) == expected


def test_apply_replacements_order_does_not_matter() -> None:
    text = "수아가 민준을 불렀다"
    spans = [(4, 6, "김철수"), (0, 2, "<PERSON_2>")]
    assert apply_replacements(text, spans) == "<PERSON_2>가 김철수를 불렀다"


def test_adjacent_spans_do_not_eat_each_other() -> None:
    # the particle search stops at the next span: "이" there belongs to the next replacement
    text = "수아이영"
    assert apply_replacements(text, [(0, 2, "김민준"), (2, 4, "박철")]) == "김민준박철"


@pytest.mark.parametrize("spans", [[(0, 3, "x"), (2, 4, "y")], [(-1, 2, "x")], [(0, 99, "x")], [(3, 2, "x")]])
def test_bad_spans_rejected_without_echoing_text(spans: list[tuple[int, int, str]]) -> None:
    with pytest.raises(ValueError) as exc:
        apply_replacements("비밀문장입니다", spans)
    assert "비밀" not in str(exc.value)


# --- properties --------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("김민준수아이가은는을를과와으로나랑야다 ,.!?<>_1-7ALN*"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(replacement=_TEXT, following=_TEXT)
def test_fix_particle_never_overreaches(replacement: str, following: str) -> None:
    particle, n = fix_particle(replacement, following)
    assert 0 <= n <= len(following)
    assert (particle == "") == (n == 0)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, data=st.data())
def test_apply_replacements_keeps_everything_outside_particles(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    spans = [(cuts[i], cuts[i + 1], "<X_1>") for i in range(0, len(cuts) - 1, 2)]
    out = apply_replacements(text, spans)
    assert out.count("<X_1>") >= len(spans)
    if not spans:
        assert out == text
