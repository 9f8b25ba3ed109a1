"""Korean particles after a word a sentence only learns at run time: "받은편지함으로", "메일로",
"아침은", "오후는".

The particle depends on whether the word's last syllable, read aloud, ends in a consonant (and for
로, whether that consonant is ㄹ). A Hangul syllable says so itself and a number is read digit by
digit from the end ("3" 삼, "10" 십). For anything else (a Latin step id, an e-mail address) it
depends on how the reader pronounces it, so both forms are written, "format(으)로", as Korean software
does.
"""

from __future__ import annotations

from typing import Final

_HANGUL_FIRST: Final = 0xAC00
_HANGUL_LAST: Final = 0xD7A3
_FINALS: Final = 28  # final-consonant slots of a Hangul syllable block (0: none)
_RIEUL: Final = 8  # ㄹ as a final consonant
_NO_FINAL: Final = 0
_SOME_FINAL: Final = 1  # stands for "a final consonant other than ㄹ"
# The last digit of a number as read in Sino-Korean: 일 이 삼 사 오 육 칠 팔 구. A number ending in 0
# ends in 영, 십, 백, 천 or 만, each with a final consonant other than ㄹ.
_DIGIT_FINALS: Final = {
    "0": _SOME_FINAL,
    "1": _RIEUL,
    "2": _NO_FINAL,
    "3": _SOME_FINAL,
    "4": _NO_FINAL,
    "5": _NO_FINAL,
    "6": _SOME_FINAL,
    "7": _RIEUL,
    "8": _RIEUL,
    "9": _NO_FINAL,
}


def _final(word: str) -> int | None:
    """The final consonant of the word's last syllable (0: none, 8: ㄹ, else another), None when
    the word does not end in a Hangul syllable or a digit."""
    last = word.rstrip()[-1:]
    if not last:
        return None
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % _FINALS
    return _DIGIT_FINALS.get(last)


def ro(word: str) -> str:
    """로 or 으로 ("to", "as") for `word`: 메일로, 받은편지함으로, 서울로; (으)로 when unknown."""
    final = _final(word)
    if final is None:
        return "(으)로"
    return "로" if final in (_NO_FINAL, _RIEUL) else "으로"


def eun(word: str) -> str:
    """은 or 는 (the topic) for `word`: 아침은, 오후는; 은(는) when unknown."""
    final = _final(word)
    if final is None:
        return "은(는)"
    return "는" if final == _NO_FINAL else "은"


__all__ = ["eun", "ro"]
