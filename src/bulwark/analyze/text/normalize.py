"""Normalise untrusted text against evasion, keeping a map back to the original.

Two views come out of one pass:

* ``plain``: HTML entities decoded, invisible format characters removed (emoji
  sequences kept), NFKC, lower case, prompt weights and ``BREAK`` removed,
  underscores as spaces. Numbers stay numbers: stated ages are read here.
* ``match``: ``plain`` plus TR39 confusable skeletons (Cyrillic/Greek look-alikes
  to Latin), accents stripped, leetspeak undone next to letters, spaced and
  punctuated letters joined ("c.h.i.l.d"), punctuation as spaces and repeated
  characters collapsed. Lexicon terms go through the same view, so "l1ttle",
  "littttle" and "little" all meet as one key.

Every character of both views carries the span of original text it came from,
so a finding on a view points at what the user actually typed. Characters are
handled as numpy code-point arrays with precomputed lookup tables, because a
per-character Python loop cannot meet 5 ms for a 20,000-character input; only
rare multi-character expansions (ligatures, circled digits) take a slow path.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
from confusable_homoglyphs import confusables

from bulwark.errors import TextInputError

#: Highest code point the lookup tables cover; beyond it characters map to themselves.
_TABLE_SIZE = 0x30000
_ZWJ = 0x200D
_VARIATION_SELECTORS = (0xFE0E, 0xFE0F)
_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "|": "i",
    "!": "i",
}
#: 'l', '1', '|' and 'i' are one letter to an evader: they meet as 'i' in the match view.
_I_CLASS = {"l": "i"}
_SEPARATORS = " .-_*|/+~·•:'\"`^=\\"
_PROMPT_REF = re.compile(
    r"<\s*(lora|lyco|lycoris|locon|hypernet|embedding|ti)\s*:\s*([^:<>]{1,200}?)"
    r"\s*(?::\s*(-?\d{1,3}(?:\.\d{1,6})?))?\s*(?::[^<>]{0,40})?>",
    re.IGNORECASE,
)
_EMBEDDING_REF = re.compile(r"\bembedding:([\w.\-]{1,200})", re.IGNORECASE)
_WEIGHT = re.compile(r":\s{0,3}-?\d{0,3}\.?\d{1,6}\s{0,3}(?=[)\]>])")
_BREAK = re.compile(r"\bBREAK\b")
_ALTERNATION = re.compile(r"\[[^\[\]]{0,500}\]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


@dataclass(frozen=True)
class ModelRef:
    """A LoRA, LyCORIS, hypernetwork or embedding named in a prompt."""

    kind: str
    name: str
    weight: float | None
    span: tuple[int, int]


@dataclass(frozen=True)
class TextView:
    """A normalised string whose character ``i`` came from ``original[starts[i]:ends[i]]``."""

    text: str
    starts: np.ndarray
    ends: np.ndarray

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original span of ``text[i:j]`` (j exclusive, j > i)."""
        if j <= i:
            raise ValueError(f"empty view slice [{i}:{j}]")
        return int(self.starts[i]), int(self.ends[j - 1])


@dataclass(frozen=True)
class TextLimits:
    """Oversized input is cut at ``max_chars`` and flagged, or refused."""

    max_chars: int = 100_000
    oversize: Literal["truncate", "refuse"] = "truncate"


DEFAULT_TEXT_LIMITS = TextLimits()


@dataclass(frozen=True)
class NormalizedText:
    """``numbers`` is ``plain`` with look-alikes mapped and doubled letters single:
    where stated ages are read ("12 уеаrs оооld" -> "12 years old")."""

    original: str
    plain: TextView
    match: TextView
    numbers: TextView
    model_refs: tuple[ModelRef, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def readable(self) -> str:
        """What a reader would read: look-alikes and leetspeak undone, nothing else
        changed. Statistical models are fed this (they were trained on plain words).
        Computed on first use: the lexicon policies never need it."""
        latin = _Chars.of(self.plain.text).mapped(_tables().confusable)
        return undo_leetspeak(latin, set()).text()


# -- tables --------------------------------------------------------------------
ALPHA, ALNUM, SEP, DROP_PLAIN, DROP_MATCH, EMOJI, CONTROL, BIDI, MULTI = (1 << i for i in range(9))


@dataclass(frozen=True)
class _Tables:
    plain: np.ndarray  # uint32: 1:1 NFKC + lower case
    multi: dict[int, str]  # code points whose NFKC is several characters
    multi_len: np.ndarray  # uint8: length of that expansion, 1 elsewhere
    match: np.ndarray  # uint32: applied to plain code points
    confusable: np.ndarray  # uint32: the same without joining l/1/| into 'i'
    leet: np.ndarray  # uint32: digit/symbol -> letter, identity elsewhere
    #: uint16: every per-character property (ALPHA, ALNUM, SEP, DROP_PLAIN,
    #: DROP_MATCH, EMOJI, CONTROL, BIDI, MULTI) in one lookup
    bits: np.ndarray


def _skeleton_map() -> dict[int, str]:
    out: dict[int, str] = {}
    for char, glyphs in confusables.confusables_data.items():
        if len(char) != 1 or ord(char) < 0x80:
            continue
        for g in glyphs:
            c = g.get("c", "")
            if len(c) == 1 and c.isascii() and c.isalnum():
                out[ord(char)] = c.lower()
                break
    return out


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    n = _TABLE_SIZE
    ident = np.arange(n, dtype=np.uint32)
    plain = ident.copy()
    match = ident.copy()
    confusable = ident.copy()
    multi: dict[int, str] = {}
    drop_plain = np.zeros(n, bool)
    drop_match = np.zeros(n, bool)
    alpha = np.zeros(n, bool)
    alnum = np.zeros(n, bool)
    emoji = np.zeros(n, bool)
    skeleton = _skeleton_map()
    for cp in range(n):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        cat = unicodedata.category(c)
        if cat == "Cf" and cp != _ZWJ:
            drop_plain[cp] = True
        if cat in ("So", "Sk") or cp in _VARIATION_SELECTORS:
            emoji[cp] = True
        k = unicodedata.normalize("NFKC", c)
        if len(k) == 1:
            low = k.lower()
            p = low if len(low) == 1 else k
            plain[cp] = ord(p)
        elif len(k) > 1:
            multi[cp] = k.lower()
            p = c
        else:
            p = c
        if cat.startswith("M") and cp < 0x3000:
            drop_match[cp] = True
        m = p
        if ord(m) >= 0x80:
            base = unicodedata.normalize("NFD", m)
            if (
                len(base) > 1
                and ord(base[0]) < 0x530
                and all(unicodedata.category(x).startswith("M") for x in base[1:])
            ):
                m = base[0].lower()
        if ord(m) >= 0x80 and ord(m) in skeleton:
            m = skeleton[ord(m)]
        confusable[cp] = ord(m)
        m = _I_CLASS.get(m, m)
        match[cp] = ord(m)
    for cp in range(n):
        c = chr(cp) if not 0xD800 <= cp <= 0xDFFF else "\ufffd"
        alpha[cp] = c.isalpha()
        alnum[cp] = c.isalnum()
    leet = ident.copy()
    for a, b in _LEET.items():
        leet[ord(a)] = ord(_I_CLASS.get(b, b))
    separator = np.zeros(n, bool)
    for s in _SEPARATORS:
        separator[ord(s)] = True
    drop_match |= drop_plain
    multi_len = np.ones(n, np.uint8)
    for cp, rep in multi.items():
        multi_len[cp] = len(rep)
    control = np.zeros(n, bool)
    control[[c for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc"]] = True
    control[[9, 10, 13]] = False
    bidi = np.zeros(n, bool)
    bidi[[0x202A, 0x202B, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068]] = True
    bits = np.zeros(n, np.uint16)
    for flag, table in (
        (ALPHA, alpha),
        (ALNUM, alnum),
        (SEP, separator),
        (DROP_PLAIN, drop_plain),
        (DROP_MATCH, drop_match),
        (EMOJI, emoji),
        (CONTROL, control),
        (BIDI, bidi),
        (MULTI, multi_len != 1),
    ):
        bits[table] |= flag
    return _Tables(plain, multi, multi_len, match, confusable, leet, bits)


# -- working representation ----------------------------------------------------
@dataclass
class _Chars:
    cp: np.ndarray  # uint32 code points
    starts: np.ndarray  # int64
    ends: np.ndarray
    #: every code point inside the lookup tables (the usual case): lookups index directly
    small: bool | None = None

    @classmethod
    def of(cls, text: str) -> _Chars:
        cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
        idx = np.arange(cp.size, dtype=np.int64)
        return cls(cp, idx, idx + 1)

    def with_cp(self, cp: np.ndarray) -> _Chars:
        """Same positions, new code points taken from the tables (so still in range)."""
        return _Chars(cp, self.starts, self.ends, self.small)

    def text(self) -> str:
        return self.cp.astype("<u4").tobytes().decode("utf-32-le")

    def keep(self, mask: np.ndarray) -> _Chars:
        return _Chars(self.cp[mask], self.starts[mask], self.ends[mask], self.small)

    def view(self) -> TextView:
        return TextView(self.text(), self.starts, self.ends)

    def _is_small(self) -> bool:
        if self.small is None:
            self.small = bool(self.cp.size == 0 or self.cp.max() < _TABLE_SIZE)
        return self.small

    def lookup(self, table: np.ndarray, default: int = 0) -> np.ndarray:
        """``table[cp]`` per character; code points past the table get ``default``."""
        if self._is_small():
            found: np.ndarray = table[self.cp]
            return found
        inside = self.cp < _TABLE_SIZE
        out = np.full(self.cp.size, default, table.dtype)
        out[inside] = table[self.cp[inside]]
        return out

    def mapped(self, table: np.ndarray) -> _Chars:
        if self._is_small():
            return self.with_cp(table[self.cp])
        inside = self.cp < _TABLE_SIZE
        cp = self.cp.copy()
        cp[inside] = table[cp[inside]]
        return _Chars(cp, self.starts, self.ends, False)

    def replace(self, spans: Iterable[tuple[int, int, str]]) -> _Chars:
        """Replace view slices ``[i, j)`` (sorted, disjoint, non-empty) by strings.

        New characters inherit the whole slice's span. Built with one join and
        ``np.repeat`` rather than per-slice arrays: an adversarial text can hold
        thousands of slices, and the per-slice cost is what would dominate.
        """
        spans = list(spans)
        if not spans:
            return self
        text = self.text()
        pieces: list[str] = []
        pos = 0
        for i, j, rep in spans:
            pieces.append(text[pos:i])
            pieces.append(rep)
            pos = j
        pieces.append(text[pos:])
        first = np.fromiter((i for i, _, _ in spans), np.int64, len(spans))
        last = np.fromiter((j for _, j, _ in spans), np.int64, len(spans))
        size = np.fromiter((len(r) for _, _, r in spans), np.int64, len(spans))
        n = self.cp.size
        inside = np.zeros(n + 1, np.int64)
        np.add.at(inside, first + 1, 1)
        np.add.at(inside, last, -1)
        lengths = np.where(np.cumsum(inside[:n]) > 0, 0, 1)
        lengths[first] = size
        ends = self.ends.copy()
        ends[first] = self.ends[last - 1]
        out = "".join(pieces)
        cp = np.frombuffer(out.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
        return _Chars(cp, np.repeat(self.starts, lengths), np.repeat(ends, lengths))


# -- steps ---------------------------------------------------------------------
def sanitize(value: object, limits: TextLimits = DEFAULT_TEXT_LIMITS) -> tuple[str, set[str]]:
    """Make any input a valid string: decode bytes, cut or refuse oversize, fix surrogates."""
    flags: set[str] = set()
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("utf-8", errors="replace")
            flags.add("invalid_utf8")
    if not isinstance(value, str):
        raise TextInputError(f"text must be str or bytes, got {type(value).__name__}")
    text = value
    if len(text) > limits.max_chars:
        if limits.oversize == "refuse":
            raise TextInputError(
                f"text of {len(text):,} characters exceeds the {limits.max_chars:,}-character limit"
            )
        text = text[: limits.max_chars]
        flags.add("truncated")
    if _has_surrogate(text):
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
        flags.add("lone_surrogates")
    return text, flags


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: Entities decoded per text. A flood of them is an attack on the decoder's time
#: (each costs a Python call); past this many the rest stay as written, flagged.
MAX_ENTITIES = 2048


@lru_cache(maxsize=4096)
def _unescape(entity: str) -> str:
    return html.unescape(entity)


def decode_entities(chars: _Chars, flags: set[str]) -> _Chars:
    text = chars.text()
    spans = []
    for n, m in enumerate(_ENTITY.finditer(text)):
        if n >= MAX_ENTITIES:
            flags.add("html_entities_capped")
            break
        raw = m.group(0)
        out = _unescape(raw)
        if out != raw:
            spans.append((m.start(), m.end(), out))
    if spans:
        flags.add("html_entities")
    return chars.replace(spans)


def remove_invisible(chars: _Chars, flags: set[str]) -> _Chars:
    """Drop format and control characters; keep a ZWJ only between two emoji (a family)."""
    t = _tables()
    bits = chars.lookup(t.bits)
    if not (bits & (DROP_PLAIN | CONTROL)).any() and not (chars.cp == _ZWJ).any():
        return chars
    drop = (bits & DROP_PLAIN) != 0
    is_zwj = chars.cp == _ZWJ
    if is_zwj.any():
        emoji = ((bits & EMOJI) != 0) | (chars.cp >= 0x1F000)
        prev = np.concatenate([[False], emoji[:-1]])
        nxt = np.concatenate([emoji[1:], [False]])
        drop |= is_zwj & ~(prev & nxt)
    if drop.any():
        flags.add("invisible_characters")
        if (bits & BIDI).any():
            flags.add("bidi_controls")
    controls = (bits & CONTROL) != 0
    if controls.any():
        # inside a word a control character is an evasion ("chi\x07ld"): drop it
        flags.add("control_characters")
        drop |= controls
    return chars.keep(~drop)


def nfkc_lower(chars: _Chars, flags: set[str]) -> _Chars:
    t = _tables()
    mapped = chars.mapped(t.plain)
    if ((mapped.cp != chars.cp) & (chars.cp > 0x7F)).any():
        flags.add("compatibility_characters")
    if (chars.lookup(t.bits) & MULTI).any():
        lengths = chars.lookup(t.multi_len, default=1)
        flags.add("compatibility_characters")
        text = mapped.text().translate(t.multi)
        cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
        return _Chars(cp, np.repeat(chars.starts, lengths), np.repeat(chars.ends, lengths))
    return mapped


#: Model references kept per text; past this many the tags stay as plain words
#: (their names are still matched), so a flood costs no more than this.
MAX_MODEL_REFS = 64


def extract_model_refs(chars: _Chars, refs: list[ModelRef], flags: set[str]) -> _Chars:
    """Pull ``<lora:name:0.8>`` and ``embedding:name`` out; their names stay as words."""
    for pattern in (_PROMPT_REF, _EMBEDDING_REF):
        text = chars.text()
        spans = []
        for m in pattern.finditer(text):
            if len(refs) >= MAX_MODEL_REFS:
                flags.add("model_refs_capped")
                break
            i, j = m.start(), m.end()
            span = (int(chars.starts[i]), int(chars.ends[j - 1]))
            if pattern is _PROMPT_REF:
                weight = float(m.group(3)) if m.group(3) else None
                ref = ModelRef(m.group(1).lower(), m.group(2).strip(), weight, span)
            else:
                ref = ModelRef("embedding", m.group(1), None, span)
            refs.append(ref)
            spans.append((i, j, f" {ref.name} "))
        chars = chars.replace(spans)
    return chars


def strip_prompt_syntax(chars: _Chars, flags: set[str]) -> _Chars:
    """Weights ``(word:1.3)``, ``[a:b:0.5]``, ``[a|b]`` and ``BREAK`` go; brackets
    become spaces in the match view. Runs before lower-casing: ``BREAK`` is upper case."""
    text = chars.text()
    found = False
    for trigger, pattern in ((":", _WEIGHT), ("BREAK", _BREAK)):
        if trigger not in text:
            continue
        spans = [(m.start(), m.end(), " ") for m in pattern.finditer(text)]
        if spans:
            found = True
            chars = chars.replace(spans)
            text = chars.text()
    if "[" in text and ("|" in text or ":" in text):
        cp = chars.cp.copy()
        for m in _ALTERNATION.finditer(text):
            seg = cp[m.start() : m.end()]
            # options of an alternation or an edit are separate concepts: a comma
            # keeps "[9 year old|cat]" from reading as "9 year old cat"
            seg[(seg == ord("|")) | (seg == ord(":"))] = ord(",")
            found = True
        chars = chars.with_cp(cp)
    if found:
        flags.add("prompt_syntax")
    return chars


def underscores_to_spaces(chars: _Chars) -> _Chars:
    under = chars.cp == ord("_")
    if not under.any():
        return chars
    cp = chars.cp.copy()
    cp[under] = 0x20
    return chars.with_cp(cp)


def skeleton(chars: _Chars, flags: set[str]) -> _Chars:
    """TR39-style confusable skeleton plus accent stripping (matching only)."""
    t = _tables()
    out = chars.mapped(t.match)
    if chars.cp.size and ((out.cp != chars.cp) & (chars.cp > 0x7F)).any():
        flags.add("confusables")
    drop = (out.lookup(t.bits) & DROP_MATCH) != 0
    return out.keep(~drop) if drop.any() else out


def undo_leetspeak(chars: _Chars, flags: set[str]) -> _Chars:
    """Leet runs become letters when a letter follows ("s3x", "l33t", "k!d"), or when
    a letter precedes a short run that ends the word ("l0l1"); "12 years", "8k" and
    "kid!" keep their characters."""
    t = _tables()
    n = chars.cp.size
    if not n:
        return chars
    target = chars.lookup(t.leet)
    candidate = target != chars.cp
    if not candidate.any():
        return chars
    bits = chars.lookup(t.bits)
    letter = (bits & ALPHA) != 0
    alnum = (bits & ALNUM) != 0
    edges = np.diff(np.concatenate([[0], candidate.astype(np.int8), [0]]))
    run_start = np.nonzero(edges == 1)[0]
    run_end = np.nonzero(edges == -1)[0]
    prev_letter = np.zeros(run_start.size, bool)
    has_prev = run_start > 0
    prev_letter[has_prev] = letter[run_start[has_prev] - 1]
    next_letter = np.zeros(run_start.size, bool)
    next_alnum = np.zeros(run_start.size, bool)
    has_next = run_end < n
    next_letter[has_next] = letter[run_end[has_next]]
    next_alnum[has_next] = alnum[run_end[has_next]]
    last = chars.cp[run_end - 1]
    last_inner = (last == ord("!")) | (last == ord("|"))
    short = run_end - run_start <= 3
    convert = next_letter | (prev_letter & ~next_alnum & short & ~last_inner)
    if not convert.any():
        return chars
    run_id = np.cumsum(edges[:-1] == 1) - 1
    change = candidate & convert[np.maximum(run_id, 0)]
    flags.add("leetspeak")
    cp = chars.cp.copy()
    cp[change] = target[change]
    return chars.with_cp(cp)


_RUN = re.compile(r"(?<![a])a(?:sa(?![a]))++")


def join_spaced_letters(chars: _Chars, flags: set[str]) -> _Chars:
    """'n s f w', 'c.h.i.l.d' -> 'nsfw', 'child': runs of 3+ single letters lose separators."""
    t = _tables()
    if chars.cp.size < 5:
        return chars
    bits = chars.lookup(t.bits)
    letter = (bits & ALPHA) != 0
    sep = (bits & SEP) != 0
    # a separator between two letters is the only place a run can be
    inner = sep[1:-1] & letter[:-2] & letter[2:]
    if not inner.any():
        return chars
    classes = np.where(letter, ord("a"), np.where(sep, ord("s"), ord("x"))).astype(np.uint8)
    cls = classes.tobytes().decode("ascii")
    drop = np.zeros(chars.cp.size, bool)
    found = False
    for m in _RUN.finditer(cls):
        if (m.end() - m.start()) < 5:
            continue
        found = True
        seg = slice(m.start(), m.end())
        drop[seg] = sep[seg]
    if not found:
        return chars
    flags.add("spaced_letters")
    return chars.keep(~drop)


def punctuation_to_spaces(chars: _Chars) -> _Chars:
    t = _tables()
    word = ((chars.lookup(t.bits) & ALNUM) != 0) | (chars.cp >= _TABLE_SIZE)
    if word.all():
        return chars
    cp = chars.cp.copy()
    cp[~word] = 0x20
    return chars.with_cp(cp)


def collapse_repeats(chars: _Chars, flags: set[str]) -> _Chars:
    """Runs of one character become one ('chiiild', 'seeexy', double spaces)."""
    if chars.cp.size < 2:
        return chars
    keep = np.ones(chars.cp.size, bool)
    keep[1:] = chars.cp[1:] != chars.cp[:-1]
    if keep.all():
        return chars
    letters_dropped = ~keep & (chars.cp != 0x20)
    if letters_dropped.any():
        # only a run of three or more is an evasion worth flagging
        runs = letters_dropped[1:] & letters_dropped[:-1]
        if runs.any():
            flags.add("repeated_letters")
    kept = np.nonzero(keep)[0]
    last_of_run = np.append(kept[1:] - 1, chars.cp.size - 1)
    # the kept character stands for its whole run, so its span ends where the run ends
    return _Chars(chars.cp[kept], chars.starts[kept], chars.ends[last_of_run])


def _trim(chars: _Chars) -> _Chars:
    if not chars.cp.size:
        return chars
    nz = np.nonzero(chars.cp != 0x20)[0]
    if not nz.size:
        return chars.keep(np.zeros(chars.cp.size, bool))
    return _Chars(
        chars.cp[nz[0] : nz[-1] + 1],
        chars.starts[nz[0] : nz[-1] + 1],
        chars.ends[nz[0] : nz[-1] + 1],
    )


def normalize(text: str | bytes, limits: TextLimits = DEFAULT_TEXT_LIMITS) -> NormalizedText:
    """Both views of ``text`` with offsets into the (sanitised) original."""
    original, flags = sanitize(text, limits)
    refs: list[ModelRef] = []
    chars = _Chars.of(original)
    if "&" in original:
        chars = decode_entities(chars, flags)
    chars = remove_invisible(chars, flags)
    if "<" in original or "mbedding:" in original:
        chars = extract_model_refs(chars, refs, flags)
    chars = strip_prompt_syntax(chars, flags)
    chars = nfkc_lower(chars, flags)
    chars = underscores_to_spaces(chars)
    plain = chars
    m = skeleton(plain, flags)
    m = undo_leetspeak(m, flags)
    m = join_spaced_letters(m, flags)
    m = punctuation_to_spaces(m)
    m = collapse_repeats(m, flags)
    m = _trim(m)
    numbers = _collapse_letters(plain.mapped(_tables().confusable))
    return NormalizedText(
        original, plain.view(), m.view(), numbers.view(), tuple(refs), frozenset(flags)
    )


def _collapse_letters(chars: _Chars) -> _Chars:
    """Doubled letters become one; digits keep their repeats ("11" stays eleven)."""
    if chars.cp.size < 2:
        return chars
    letter = (chars.lookup(_tables().bits) & ALPHA) != 0
    keep = np.ones(chars.cp.size, bool)
    keep[1:] = ~((chars.cp[1:] == chars.cp[:-1]) & letter[1:])
    return chars if keep.all() else chars.keep(keep)


@lru_cache(maxsize=65536)
def match_key(term: str) -> str:
    """A lexicon term in the match view, so it meets evasive spellings of itself."""
    return normalize(term).match.text


__all__ = [
    "DEFAULT_TEXT_LIMITS",
    "ModelRef",
    "NormalizedText",
    "TextLimits",
    "TextView",
    "match_key",
    "normalize",
    "sanitize",
]
