"""Linear-time multi-term matching over a normalised view (Aho-Corasick).

All terms of a lexicon go into one ``pyahocorasick`` automaton keyed by their
match-view spelling, so one pass over the text finds every term of every group
in time linear in the text plus the hits; no regex, so no backtracking.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import ahocorasick

from bulwark.analyze.text.normalize import TextView, match_key


@dataclass(frozen=True)
class Term:
    """One lexicon entry: ``prefix`` terms match the start of a word."""

    text: str
    group: str
    lang: str
    prefix: bool = False

    @property
    def key(self) -> str:
        return match_key(self.text)


@dataclass(frozen=True)
class Hit:
    term: Term
    start: int  # in the view
    end: int

    def span(self, view: TextView) -> tuple[int, int]:
        return view.span(self.start, self.end)


Boundary = str  # "word": spaces around; "kana": no kana before; "none": substring


def _is_kana(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("KATAKANA", "HIRAGANA"))


def _boundary_for(key: str) -> Boundary:
    """Spaced scripts match whole words. Japanese has no spaces: kanji terms match as
    substrings, kana terms only where no kana precedes them (so ロリ is not found
    inside カロリー, "calorie")."""
    first = key[0]
    if _is_kana(first):
        return "kana"
    if unicodedata.name(first, "").startswith(("CJK", "HANGUL")):
        return "none"
    return "word"


class Lexicon:
    """Groups of terms, searched together in one automaton."""

    def __init__(self, terms: Iterable[Term]):
        self.terms = list(terms)
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Term]] = {}
        for t in self.terms:
            key = t.key
            if key:
                by_key.setdefault(key, []).append(t)
        for key, ts in by_key.items():
            self._automaton.add_word(key, (key, tuple(ts), _boundary_for(key)))
        if by_key:
            self._automaton.make_automaton()
        self._empty = not by_key

    @classmethod
    def from_toml(cls, path: Path | str) -> Lexicon:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return cls(_terms_from(data))

    @property
    def groups(self) -> set[str]:
        return {t.group for t in self.terms}

    def _scan(self, text: str) -> Iterator[tuple[int, int, tuple[Term, ...], bool]]:
        """Automaton hits that pass the left boundary: start, end, terms, right boundary ok."""
        n = len(text)
        for end_idx, (key, terms, boundary) in self._automaton.iter(text):
            end = end_idx + 1
            start = end - len(key)
            if boundary == "word":
                if start and text[start - 1] != " ":
                    continue
                yield start, end, terms, end == n or text[end] == " "
            elif boundary == "kana" and start and _is_kana(text[start - 1]):
                continue
            else:
                yield start, end, terms, True

    def find(self, view: TextView) -> Iterator[Hit]:
        """Every term hit on word boundaries (prefix terms: boundary on the left only)."""
        if self._empty or not view.text:
            return
        for start, end, terms, right_ok in self._scan(view.text):
            for t in terms:
                if right_ok or t.prefix:
                    yield Hit(t, start, end)

    def find_grouped(self, view: TextView, cap: int) -> tuple[dict[str, list[Hit]], bool]:
        """Distinct hits per group, at most ``cap`` each, and whether any group overflowed.

        Policies decide on presence; an input stuffed with thousands of one word
        must not cost thousands of findings.
        """
        groups: dict[str, list[Hit]] = {}
        capped = False
        if self._empty or not view.text:
            return groups, capped
        for start, end, terms, right_ok in self._scan(view.text):
            for t in terms:
                if not (right_ok or t.prefix):
                    continue
                g = groups.get(t.group)
                if g is None:
                    g = groups[t.group] = []
                elif len(g) >= cap:
                    capped = True
                    continue
                elif g[-1].start == start and g[-1].end == end:
                    continue  # the same span through another term of the group
                g.append(Hit(t, start, end))
        return groups, capped


def _terms_from(data: dict[str, dict[str, list[str]]]) -> Iterator[Term]:
    for group, langs in data.items():
        for lang, words in langs.items():
            for w in words:
                prefix = w.endswith("*")
                yield Term(w.rstrip("*"), group, lang, prefix)


@lru_cache(maxsize=8)
def builtin_lexicon(name: str) -> Lexicon:
    """A lexicon shipped in ``bulwark/analyze/text/lexicons/<name>.toml``."""
    ref = resources.files("bulwark.analyze.text").joinpath("lexicons", f"{name}.toml")
    data = tomllib.loads(ref.read_text(encoding="utf-8"))
    return Lexicon(_terms_from(data))


__all__ = ["Hit", "Lexicon", "Term", "builtin_lexicon"]
