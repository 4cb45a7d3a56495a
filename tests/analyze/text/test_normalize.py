"""Each normalisation step on its own, then the whole pipeline's offsets."""

from __future__ import annotations

import pytest

from bulwark.analyze.text import normalize as n
from bulwark.errors import TextInputError


def run(step, text: str) -> tuple[str, set[str]]:  # type: ignore[no-untyped-def]
    flags: set[str] = set()
    chars = n._Chars.of(text)
    try:
        out = step(chars, flags)
    except TypeError:
        out = step(chars)
    return out.text(), flags


def test_html_entities() -> None:
    text, flags = run(n.decode_entities, "n&#117;de &amp; &lt;b&gt; &#x6b;id &bogus;")
    assert text == "nude & <b> kid &bogus;"
    assert "html_entities" in flags


def test_invisible_characters_go_but_emoji_sequences_stay() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text, flags = run(n.remove_invisible, f"ch\u200bi\u2060l\ufeffd\u00ad {family} a\u200db")
    assert text == f"child {family} ab"
    assert "invisible_characters" in flags


def test_bidi_overrides_and_controls() -> None:
    text, flags = run(n.remove_invisible, "\u202eabc\x07def\tx")
    assert text == "abcdef\tx"
    assert {"bidi_controls", "control_characters"} <= flags


def test_nfkc_full_width_and_mathematical_letters() -> None:
    text, flags = run(n.nfkc_lower, "ＮＵＤＥ \U0001d41b\U0001d428\U0001d425\U0001d41d ﬁne ①")
    assert text == "nude bold fine 1"
    assert "compatibility_characters" in flags


def test_confusable_skeleton_maps_cyrillic_and_greek_to_latin() -> None:
    text, flags = run(n.skeleton, "сhіld nαkеd")  # Cyrillic с, і, е; Greek α
    assert text == "chiid naked"  # 'l' joins the i-class: l, 1, | and i meet as 'i'
    assert "confusables" in flags


def test_leetspeak_only_next_to_letters() -> None:
    text, flags = run(n.undo_leetspeak, "l0l1 s3x k!d 4dult 5ex b@d $exy 7een 12 years 8k kid!")
    assert text == "loli sex kid adult sex bad sexy teen 12 years 8k kid!"
    assert "leetspeak" in flags


def test_spaced_and_punctuated_letters_are_joined() -> None:
    text, flags = run(n.join_spaced_letters, "n s f w and c.h.i.l.d, a cat")
    assert text == "nsfw and child, a cat"
    assert "spaced_letters" in flags


def test_repeated_letters_collapse() -> None:
    text, flags = run(n.collapse_repeats, "chiiiild  seeexy")
    assert text == "child sexy"
    assert "repeated_letters" in flags


def test_underscores_become_spaces() -> None:
    assert run(n.underscores_to_spaces, "little_girl")[0] == "little girl"


def test_prompt_syntax_weights_alternation_break() -> None:
    text, flags = run(n.strip_prompt_syntax, "(child:1.3), [cat|dog], [a:b:0.5] BREAK x")
    assert "1.3" not in text and "0.5" not in text and "BREAK" not in text
    assert "cat,dog" in text and "a,b" in text  # options stay separate concepts
    assert "prompt_syntax" in flags


def test_model_references_are_extracted_with_spans() -> None:
    prompt = "photo, <lora:young_style_v2:0.8>, embedding:bad-hands, x"
    norm = n.normalize(prompt)
    kinds = {(r.kind, r.name, r.weight) for r in norm.model_refs}
    assert kinds == {("lora", "young_style_v2", 0.8), ("embedding", "bad-hands", None)}
    lora = next(r for r in norm.model_refs if r.kind == "lora")
    assert prompt[lora.span[0] : lora.span[1]] == "<lora:young_style_v2:0.8>"
    assert "young" in norm.match.text  # the name is still matched as words


def test_offsets_point_at_the_original_text() -> None:
    original = "Nice &amp; ｌ０ｌｉ c.h\u200b.i.l.d"
    norm = n.normalize(original)
    view = norm.match
    for word in ("ioi", "chid"):
        i = view.text.index(word)
        a, b = view.span(i, i + len(word))
        assert original[a:b] in {"ｌ０ｌｉ", "c.h\u200b.i.l.d"}


def test_lexicon_terms_and_evasions_share_one_key() -> None:
    variants = ["little", "l1ttle", "LITTTTLE", "ｌｉｔｔｌｅ", "l.i.t.t.l.e", "lіttle"]
    assert len({n.match_key(v) for v in variants}) == 1


@pytest.mark.parametrize("value", ["", "   ", "\x00\x01", "\ud800abc", b"\xff\xfeab", "\u202e"])
def test_odd_inputs_never_raise(value: str | bytes) -> None:
    norm = n.normalize(value)
    assert isinstance(norm.match.text, str)


def test_invalid_utf8_and_surrogates_are_flagged() -> None:
    assert "invalid_utf8" in n.normalize(b"nu\xffde").flags
    norm = n.normalize("a\ud800b")
    assert "lone_surrogates" in norm.flags and norm.original == "a\ufffdb"


def test_oversize_is_truncated_or_refused() -> None:
    big = "a" * 1_000_001
    norm = n.normalize(big, n.TextLimits(max_chars=1000))
    assert "truncated" in norm.flags and len(norm.original) == 1000
    with pytest.raises(TextInputError, match="exceeds the 1,000-character limit"):
        n.normalize(big, n.TextLimits(max_chars=1000, oversize="refuse"))


def test_non_text_is_a_clear_error() -> None:
    with pytest.raises(TextInputError, match="must be str or bytes, got int"):
        n.normalize(42)  # type: ignore[arg-type]
