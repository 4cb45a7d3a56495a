"""Text banks: exact (after normalisation), near-duplicate (TLSH) and semantic matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulwark.analyze.text.normalize import normalize
from bulwark.banks.store import BankStore
from bulwark.banks.text_entries import KnownText, entries_for, read_known_texts
from bulwark.cli import app
from bulwark.errors import BankImportError, SignalError
from bulwark.match.text_index import TextBankIndex, match_evidence
from bulwark.signals import get_signal_type
from bulwark.signals.text_embedding import TextEmbeddingSignal, embed, to_value
from bulwark.signals.text_exact import TextExactSignal
from bulwark.signals.text_tlsh import TextTLSHSignal

SCRIPT = (
    "I have your photos. Pay me 500 dollars in bitcoin within 24 hours "
    "or I will send them to all your friends and family."
)
CLAIM = "Drinking bleach cures viral infections."


def _fill(store: BankStore) -> None:
    store.create("scripts", category="child_safety.sextortion")
    store.create("claims", category="misinformation.known_claim")
    store.add_entries("scripts", entries_for([KnownText(SCRIPT)], source="test"))
    store.add_entries(
        "claims",
        entries_for(
            [KnownText(CLAIM, {"label": "false", "url": "https://fc.example/1"})], source="t"
        ),
    )


def test_exact_match_survives_evasion(store: BankStore) -> None:
    _fill(store)
    index = TextBankIndex(store)
    disguised = (
        "I h4ve y0ur ph\u200botos. PAY ME 500 dollars in bitcoin within 24 hours "
        "or I will send them to all your friends and family!"
    )
    methods = {m.method for m in index.match(disguised).matches}
    assert "exact" in methods


def test_near_duplicate_and_semantic(store: BankStore) -> None:
    _fill(store)
    index = TextBankIndex(store)
    edited = SCRIPT.replace("500", "900").replace("24 hours", "12 hours")
    r = index.match(edited)
    near = [m for m in r.matches if m.method == "near_duplicate"]
    assert near and near[0].distance is not None and near[0].distance <= 70
    assert not [m for m in r.matches if m.method == "exact"]
    para = index.match("drinking disinfectant will cure the virus")
    sem = [m for m in para.matches if m.method == "semantic"]
    assert sem and sem[0].bank == "claims" and sem[0].similarity >= 0.7
    assert sem[0].metadata == {"label": "false", "url": "https://fc.example/1"}
    ev = match_evidence(para)
    assert ev[0].category == "misinformation.known_claim" and ev[0].source == "bank_match"
    assert not index.match("the weather is lovely today").matches


def test_disabled_entries_and_negative_banks(store: BankStore) -> None:
    _fill(store)
    exact_entry = next(e for e in store.iter_entries("scripts") if e.signal_type == "text_exact")
    store.set_entry_enabled(exact_entry.id, False)
    assert "exact" not in {m.method for m in TextBankIndex(store).match(SCRIPT).matches}
    store.create("benign", negative=True)
    store.add_entries("benign", entries_for([KnownText(SCRIPT)], source="fp", embeddings=False))
    r = TextBankIndex(store).match(SCRIPT)
    assert not r.matched and r.suppressed


def test_stored_text_only_when_asked() -> None:
    plain = list(entries_for([KnownText(CLAIM)], source="s", embeddings=False))
    assert all("text" not in e.metadata for e in plain)
    kept = list(entries_for([KnownText(CLAIM)], source="s", embeddings=False, keep_text=True))
    assert kept[0].metadata["text"] == CLAIM


def test_signal_values_validate() -> None:
    norm = normalize(SCRIPT)
    exact = TextExactSignal.compute_text(norm)
    digest = TextTLSHSignal.compute_text(norm)
    assert exact and digest
    assert get_signal_type("text_exact").validate(exact.value) == exact.value
    assert TextTLSHSignal.validate(digest.value.lower()) == digest.value
    assert TextTLSHSignal.compute_text(normalize("too short")) is None
    vec = to_value(embed([CLAIM])[0])
    assert TextEmbeddingSignal.validate(vec) == vec
    with pytest.raises(SignalError, match="70 hex"):
        TextTLSHSignal.validate("T1abc")
    with pytest.raises(SignalError, match="base64"):
        TextEmbeddingSignal.validate("not base64!!")
    with pytest.raises(SignalError, match="384 float16"):
        TextEmbeddingSignal.validate("AAAA")


def test_known_text_file_is_all_or_nothing(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('plain line\n{"text": "ok", "label": "x"}\n{broken\n{"label": "no text"}\n')
    with pytest.raises(BankImportError) as err:
        read_known_texts(f)
    assert [n for n, _ in err.value.problems] == [3, 4]
    f.write_text('plain line\n{"text": "ok", "label": "x"}\n')
    got = read_known_texts(f)
    assert [(k.text, k.metadata) for k in got] == [("plain line", {}), ("ok", {"label": "x"})]


def test_cli_add_text_and_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BULWARK_DB_URL", raising=False)
    run = CliRunner().invoke
    assert (
        run(app, ["bank", "create", "claims", "--category", "misinformation.known_claim"]).exit_code
        == 0
    )
    f = tmp_path / "claims.jsonl"
    f.write_text(json.dumps({"text": CLAIM, "label": "false"}) + "\n")
    r = run(app, ["bank", "add-text", "claims", "--file", str(f)])
    # exact + embedding: the claim is under TLSH's 50-byte minimum
    assert r.exit_code == 0 and "added 2 entries" in r.output, r.output
    r = run(app, ["text", "match", "--json", "drinking bleach cures viral infections"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.output.strip().splitlines()[-1])
    assert row["matched"] and {m["method"] for m in row["matches"]} >= {"exact", "semantic"}
    assert all("text" not in m["metadata"] for m in row["matches"])
    r = run(app, ["text", "match", "--fail-on-match", CLAIM])
    assert r.exit_code == 1
