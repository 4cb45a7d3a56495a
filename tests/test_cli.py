from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulwark.cli import app
from bulwark.demo import run_demo
from bulwark.demo.transforms import apply


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BULWARK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BULWARK_DB_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        r = runner.invoke(app, list(args))
        return r.exit_code, r.output

    return invoke


def test_bank_lifecycle_and_match_folder(run, photos: list[Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("bank", "create", "known", "--category", "child_safety.known_csam")
    assert code == 0, out
    code, out = run("bank", "add", "known", *map(str, photos[:3]))
    assert code == 0 and "added 12 entries" in out, out
    q = tmp_path / "queries" / "nested"
    q.mkdir(parents=True)
    (q / "edited.jpg").write_bytes(apply("jpeg_q50", photos[0].read_bytes()))
    (q / "other.jpg").write_bytes(photos[8].read_bytes())
    (q / "broken.jpg").write_bytes(photos[1].read_bytes()[:500])
    (q / "notes.txt").write_text("not media")
    code, out = run("match", "--json", str(tmp_path / "queries"), str(tmp_path / "missing.jpg"))
    assert code == 0, out
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.strip().splitlines())}
    assert rows["edited.jpg"]["matched"] and rows["edited.jpg"]["matches"][0]["bank"] == "known"
    assert not rows["other.jpg"]["matched"]
    assert "truncated JPEG" in " ".join(rows["broken.jpg"]["errors"])
    assert "not an image or video" in " ".join(rows["notes.txt"]["errors"])
    assert "no such file" in " ".join(rows["missing.jpg"]["errors"])
    assert "value" not in json.dumps(rows["edited.jpg"]["matches"])  # no bank hash values
    code, _ = run("match", "--fail-on-match", str(q / "edited.jpg"))
    assert code == 1
    code, _ = run("match", "--fail-on-match", str(q / "other.jpg"))
    assert code == 0


def test_import_export_disable_and_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    good = tmp_path / "good.txt"
    good.write_text(f"pdq {pdq}\n")
    bad = tmp_path / "bad.txt"
    bad.write_text(f"pdq {pdq}\npdq nothex\n")
    assert run("bank", "create", "b")[0] == 0
    code, out = run("bank", "import", "b", str(bad))
    assert code == 1 and "line 2" in out and "nothing imported" in out
    code, out = run("bank", "import", "b", str(good))
    assert code == 0 and "imported 1 new" in out
    code, out = run("bank", "list", "--json")
    assert json.loads(out)["entries"] == 1
    assert pdq not in out
    exported = tmp_path / "out.csv"
    assert run("bank", "export", "b", str(exported), "--format", "csv")[0] == 0
    assert pdq in exported.read_text()
    assert run("bank", "disable", "1")[0] == 0
    assert run("bank", "disable", "999")[0] == 1
    assert run("bank", "import", "missing", str(good))[0] == 1
    assert run("bank", "create", "c", "--category", "bogus")[0] == 1
    assert run("bank", "fetch", "b", "--exchange", "sample")[0] == 0
    assert run("bank", "delete", "b", "--yes")[0] == 0
    assert run("index", "build")[0] == 0


def test_hash_command_reports_low_quality(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    flat = tmp_path / "flat.png"
    Image.new("RGB", (100, 100), "grey").save(flat)
    code, out = run("hash", "--json", str(flat))
    assert code == 0
    sig = next(s for s in json.loads(out)["signals"] if s["type"] == "pdq")
    assert sig["low_quality"] is True


def test_usage_error_exit_code(run) -> None:  # type: ignore[no-untyped-def]
    code, _ = run("match")
    assert code == 2


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    assert run_demo(tmp_path / "demo") is True
