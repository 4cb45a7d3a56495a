"""Audits end to end on a synthetic dataset: what is found, what is written (and
what never is), resumption without loss or double counting, and the local and
Ray engines agreeing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bulwark.audit.checkpoints import Checkpoints
from bulwark.audit.run import AuditConfig, run_audit
from bulwark.audit.stages import AuditOptions
from bulwark.audit.synthetic import Synthetic
from tests.audit.conftest import FLAGGED


def _cfg(syn: Synthetic, out: Path, opts: AuditOptions, **kw: object) -> AuditConfig:
    return AuditConfig(
        [syn.root / "webdataset", syn.root / "laion"],
        out,
        opts,
        workers=1,
        progress=False,
        **kw,  # type: ignore[arg-type]
    )


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_finds_planted_copies_md5_rows_captions_and_neighbours(
    tmp_path: Path, synthetic: Synthetic, banked: AuditOptions
) -> None:
    out = tmp_path / "out"
    s = run_audit(_cfg(synthetic, out, banked))
    removal = _csv(out / "removal.csv")
    by_pdq = {(r["shard"], r["key"]) for r in removal if r["evidence"].startswith("pdq")}
    by_md5 = {(r["shard"], r["key"]) for r in removal if r["evidence"] == "md5 exact"}
    webdataset_hits = {
        (r["shard"], r["key"])
        for r in removal
        if r["reason"] == "bank_match" and r["shard"].startswith("webdataset")
    }
    assert webdataset_hits == set(synthetic.planted)  # every planted copy, nothing else
    assert by_pdq or by_md5
    md5_only = {k for sh, k in by_md5 if sh.startswith("embeddings")}
    assert md5_only == {k for _, k in synthetic.planted}  # metadata rows matched without bytes
    captions = {(r["shard"], r["key"]) for r in removal if r["reason"] == "caption"}
    assert set(synthetic.flagged) <= captions
    suspects = {(r["shard"], r["key"]) for r in _csv(out / "suspects.csv")}
    assert set(synthetic.neighbours) <= suspects  # the planted neighbours, as suspects
    assert s["neighbours"]["index"].startswith("exact")
    # nothing written carries a caption, an image or a thumbnail
    for f in out.iterdir():
        if f.is_file():
            body = f.read_bytes()
            assert all(c.encode() not in body for c in FLAGGED), f.name
            assert b"\xff\xd8\xff" not in body or f.suffix == ".parquet"
    hotline = (out / "hashes_for_hotlines.csv").read_text()
    assert "https://" not in hotline and synthetic.planted_md5[0] in hotline
    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64") >= 3 and "No image, thumbnail or caption" in report
    summary = json.loads((out / "summary.json").read_text())
    assert summary["samples"] == 4 * 16 * 2 and summary["problems"] == 0


def test_a_killed_run_resumes_without_loss_or_double_counting(
    tmp_path: Path, synthetic: Synthetic, banked: AuditOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    full = run_audit(_cfg(synthetic, tmp_path / "reference", banked))
    saved = Checkpoints.save
    calls = {"n": 0}

    def dies_on_the_fourth(self: Checkpoints, result: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the process is killed mid-run
        saved(self, result)  # type: ignore[arg-type]

    monkeypatch.setattr(Checkpoints, "save", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        run_audit(_cfg(synthetic, out, banked))
    monkeypatch.setattr(Checkpoints, "save", saved)
    again = run_audit(_cfg(synthetic, out, banked))
    assert again["shards_resumed"] == 3 and again["samples"] == full["samples"]
    assert pq.read_table(out / "removal.parquet").equals(
        pq.read_table(tmp_path / "reference" / "removal.parquet")
    )


def test_corrupt_shard_and_sample_are_reported_the_rest_finishes(
    tmp_path: Path, synthetic: Synthetic, banked: AuditOptions
) -> None:
    tars = sorted((synthetic.root / "webdataset").glob("*.tar"))
    tars[1].write_bytes(tars[1].read_bytes()[:5000])
    out = tmp_path / "out"
    s = run_audit(
        AuditConfig([synthetic.root / "webdataset"], out, banked, workers=1, progress=False)
    )
    problems = _csv(out / "problems.csv")
    assert [p["shard"] for p in problems] == ["webdataset:00001.tar"]
    assert s["samples"] == 16 * 3 + 0  # the truncated shard's first member was cut too


def test_local_and_ray_engines_give_identical_outputs(
    tmp_path: Path, synthetic: Synthetic, banked: AuditOptions
) -> None:
    pytest.importorskip("ray")
    local = run_audit(
        AuditConfig(
            [synthetic.root / "webdataset", synthetic.root / "laion"],
            tmp_path / "local",
            banked,
            workers=2,
            progress=False,
        )
    )
    ray = run_audit(
        AuditConfig(
            [synthetic.root / "webdataset", synthetic.root / "laion"],
            tmp_path / "ray",
            banked,
            workers=2,
            engine="ray",
            progress=False,
        )
    )
    for name in ("removal.parquet", "suspects.parquet"):
        assert pq.read_table(tmp_path / "local" / name).equals(
            pq.read_table(tmp_path / "ray" / name)
        ), name
    for name in ("problems.csv", "hashes_for_hotlines.csv"):
        assert (tmp_path / "local" / name).read_text() == (tmp_path / "ray" / name).read_text()
    assert Checkpoints(tmp_path / "local").rows().equals(Checkpoints(tmp_path / "ray").rows())
    assert local["removal"] == ray["removal"] > 0 and ray["engine"] == "ray"


def test_files_that_are_not_media_are_problems_with_shard_and_key(
    tmp_path: Path, photo_bytes: bytes
) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(photo_bytes)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 text")
    (folder / "half.jpg").write_bytes(photo_bytes[:300])
    s = run_audit(
        AuditConfig([folder], tmp_path / "out", AuditOptions(), workers=1, progress=False)
    )
    problems = {p["key"]: p for p in _csv(tmp_path / "out" / "problems.csv")}
    assert set(problems) == {"notes.pdf", "half.jpg"} and s["samples"] == 3
    assert problems["notes.pdf"]["shard"] == "folder:f#00000"
    rows = {r["key"]: r for r in Checkpoints(tmp_path / "out").rows().to_pylist()}
    assert rows["notes.pdf"]["md5"] and rows["a.jpg"]["pdq"]  # digests still taken
