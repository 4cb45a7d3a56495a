"""Stated ages and school grades in a prompt ("12yo", "twelve year old", "8th grade").

Runs on the ``plain`` view, where digits are still digits. Every pattern is a
bounded per-form regex (fixed alternatives, ``{0,n}`` gaps, no nested
repetition), so each is linear in the text; there is no combined pattern.
An age followed within three words by a thing ("an 8 year old oak tree",
"12 year old scotch") is not a person's age and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bulwark.analyze.text.lexicon import builtin_lexicon
from bulwark.analyze.text.normalize import TextView, match_key

ADULT_AGE = 18

_NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "1": ("one",),
    "2": ("two",),
    "3": ("three", "thre"),
    "4": ("four",),
    "5": ("five",),
    "6": ("six",),
    "7": ("seven", "sevn"),
    "8": ("eight", "eigth", "eigh"),
    "9": ("nine",),
    "10": ("ten",),
    "11": ("eleven", "elevn", "elven"),
    "12": ("twelve", "twelv", "tweleve", "twelf"),
    "13": ("thirteen", "thirten", "threeteen"),
    "14": ("fourteen", "fourten", "forteen"),
    "15": ("fifteen", "fiften", "fiveteen"),
    "16": ("sixteen", "sixten"),
    "17": ("seventeen", "seventen", "sevnteen"),
    "18": ("eighteen", "eightteen"),
    "19": ("nineteen",),
    "20": ("twenty",),
}
_WORD_TO_AGE = {w: int(n) for n, ws in _NUMBER_WORDS.items() for w in ws}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_GAP = r"[\s-]{0,3}"
# "yo", "y/o", "y.o.", "yr old", "years old", "year-old", "yeer old", "yrs", "years of age"
_YEARS_OLD = (
    rf"(?:y\s?/\s?o|y\.o\.?|yo|yrs?{_GAP}o?ld|y[a-z]{{1,5}}{_GAP}o?ld|years?{_GAP}of{_GAP}age)"
)
_FOREIGN = r"(?:años|anos|ans|jahre(?:[\s-]{0,2}alt)?|jährige[rn]?|anni|лет|года|год|歳|才|sai)"
_DIGIT_AGE = re.compile(rf"(?<![\d.,])(\d{{1,2}})(?:{_GAP}{_YEARS_OLD}\b|\s{{0,2}}-?{_FOREIGN})")
_PREFIX_AGE = re.compile(
    r"\b(?:age|aged|ages|edad|idade|âge|alter|età|возраст)\s{0,2}[:=]?\s{0,2}(\d{1,2})(?![\d.])"
)
_WORD_AGE = re.compile(
    r"\b(" + "|".join(sorted(_WORD_TO_AGE, key=len, reverse=True)) + rf"){_GAP}{_YEARS_OLD}\b"
)
_GRADE_NUM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[\s-]{0,3}grade(?:rs?)?\b")
_GRADE_PREFIX = re.compile(r"\bgrade\s{0,2}(\d{1,2})\b")
_GRADE_WORD = re.compile(r"\b(" + "|".join(_ORDINALS) + r")[\s-]{0,3}grade(?:rs?)?\b")
_WORDS_AFTER = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class StatedAge:
    age: int
    start: int  # in the plain view
    end: int
    form: str  # "digits", "words", "grade"

    @property
    def is_minor(self) -> bool:
        return self.age < ADULT_AGE


@lru_cache(maxsize=1)
def _non_person_keys() -> frozenset[str]:
    terms = builtin_lexicon("child_safety").terms
    return frozenset(t.key for t in terms if t.group == "non_person")


def _about_a_thing(text: str, end: int) -> bool:
    keys = _non_person_keys()
    words = _WORDS_AFTER.findall(text, end, min(len(text), end + 60))[:3]
    return any(match_key(w) in keys for w in words)


def find_ages(view: TextView) -> Iterator[StatedAge]:
    """Stated ages and grades (grade N read as age N + 5, the usual US age)."""
    text = view.text
    if any(ch.isdigit() for ch in text):
        for m in _DIGIT_AGE.finditer(text):
            yield from _age(text, int(m.group(1)), m, "digits")
        for m in _PREFIX_AGE.finditer(text):
            yield from _age(text, int(m.group(1)), m, "digits")
        for m in _GRADE_NUM.finditer(text):
            yield from _age(text, int(m.group(1)) + 5, m, "grade")
        for m in _GRADE_PREFIX.finditer(text):
            yield from _age(text, int(m.group(1)) + 5, m, "grade")
    for m in _WORD_AGE.finditer(text):
        yield from _age(text, _WORD_TO_AGE[m.group(1)], m, "words")
    if "grade" in text:
        for m in _GRADE_WORD.finditer(text):
            yield from _age(text, _ORDINALS[m.group(1)] + 5, m, "grade")


def _age(text: str, age: int, m: re.Match[str], form: str) -> Iterator[StatedAge]:
    if age == 0 or _about_a_thing(text, m.end()):
        return
    yield StatedAge(age, m.start(), m.end(), form)


__all__ = ["ADULT_AGE", "StatedAge", "find_ages"]
