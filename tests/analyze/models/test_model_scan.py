"""Model-file forensics on files written here: safetensors with kohya metadata,
pickles (benign and with code), torch zips, and hostile headers."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulwark.analyze.models.safetensors_header import read_header_path
from bulwark.analyze.models.scan import ModelHashBanks, scan_model
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.cli import app
from bulwark.errors import ModelFileError

TAGS = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "violating_text" / "training_tags.json").read_text()
)


def write_safetensors(
    path: Path, metadata: dict[str, str], tensor_bytes: bytes = b"\0" * 64
) -> Path:
    header = {
        "__metadata__": metadata,
        "lora_up.weight": {"dtype": "F16", "shape": [4, 8], "data_offsets": [0, len(tensor_bytes)]},
    }
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + tensor_bytes)
    return path


def kohya_meta(tags: dict[str, dict[str, int]], name: str) -> dict[str, str]:
    return {
        "ss_tag_frequency": json.dumps(tags),
        "ss_dataset_dirs": json.dumps({k: {"n_repeats": 10, "img_count": 40} for k in tags}),
        "ss_output_name": name,
        "modelspec.title": name,
    }


class Evil:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("echo never-run",))


def test_lora_trained_on_youth_and_sexual_captions_is_flagged(tmp_path: Path) -> None:
    f = write_safetensors(
        tmp_path / "style.safetensors", kohya_meta(TAGS["abusive_lora"], "style_v1")
    )
    r = scan_model(f)
    assert r.format == "safetensors" and not r.errors
    caps = [e for e in r.findings if e.rule == "training_captions"]
    assert {e.details["folder"] for e in caps} == {"10_loli girl", "5_child"}
    assert all(e.category == "child_safety.abuse_model" and e.tier == "hard" for e in caps)
    first = next(e for e in caps if e.details["folder"] == "10_loli girl")
    assert first.details["offending_tags"]["loli"] == 38
    assert r.summary["training_images"] == 80


def test_benign_lora_is_not_flagged(tmp_path: Path) -> None:
    f = write_safetensors(
        tmp_path / "land.safetensors", kohya_meta(TAGS["benign_lora"], "watercolor")
    )
    r = scan_model(f)
    assert r.findings == [] and r.errors == []


def test_hub_hashes_are_computed_as_the_uis_do(tmp_path: Path) -> None:
    body = bytes(range(256)) * 5000  # 1.28 MB so the old A1111 window exists
    f = write_safetensors(tmp_path / "m.safetensors", {"ss_output_name": "x"}, body)
    data = f.read_bytes()
    header = read_header_path(f)
    r = scan_model(f)
    assert r.hashes["model_sha256"] == hashlib.sha256(data).hexdigest()
    assert r.hashes["model_autov2"] == hashlib.sha256(data).hexdigest()[:10]
    assert r.hashes["model_autov3"] == hashlib.sha256(data[header.data_offset :]).hexdigest()[:12]
    assert r.hashes["model_a1111"] == hashlib.sha256(data[0x100000:0x110000]).hexdigest()[:8]


def test_model_hash_banks(tmp_path: Path, store: BankStore) -> None:
    f = write_safetensors(tmp_path / "m.safetensors", {})
    autov2 = scan_model(f).hashes["model_autov2"]
    store.create("abuse-models", category="child_safety.abuse_model")
    store.add_entries("abuse-models", [NewEntry("model_autov2", autov2, "test")])
    r = scan_model(f, ModelHashBanks(store))
    assert [(e.source, e.rule) for e in r.findings] == [("bank_match", "model_autov2")]


def test_pickles_are_scanned_not_loaded(tmp_path: Path) -> None:
    evil = tmp_path / "evil.ckpt"
    evil.write_bytes(pickle.dumps(Evil()))
    r = scan_model(evil)
    assert r.format == "pickle"
    assert {"module": "posix", "name": "system", "safety": "dangerous"} in r.security
    ok = tmp_path / "ok.pt"
    ok.write_bytes(pickle.dumps({"state_dict": {"w": [1.0, 2.0]}}))
    assert scan_model(ok).security == []
    zipped = tmp_path / "model.pt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(Evil()))
    zipped.write_bytes(buf.getvalue())
    r = scan_model(zipped)
    assert r.format == "pytorch_zip" and any(s["safety"] == "dangerous" for s in r.security)
    assert r.summary["members"] == 1 and r.summary["member_names"] == ["archive/data.pkl"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (struct.pack("<Q", 10 * 1024**3) + b"{}", "over the"),
        (struct.pack("<Q", 500) + b"{}", "but the file has"),
        (struct.pack("<Q", 9) + b"{not json", "not JSON"),
        (struct.pack("<Q", 20002) + b"[" * 10001 + b"]" * 10001, "nested too deeply"),
    ],
)
def test_hostile_headers_give_clear_errors(tmp_path: Path, raw: bytes, problem: str) -> None:
    f = tmp_path / "bad.safetensors"
    f.write_bytes(raw)
    with pytest.raises(ModelFileError, match=problem):
        read_header_path(f)
    r = scan_model(f)
    assert r.findings == [] and (problem in " ".join(r.errors) or r.format == "unknown")


def test_nested_metadata_json_is_reported(tmp_path: Path) -> None:
    meta = {"ss_tag_frequency": "[" * 100_000 + "]" * 100_000, "ss_dataset_dirs": "{oops"}
    r = scan_model(write_safetensors(tmp_path / "x.safetensors", meta))
    assert any("nested too deeply" in e for e in r.errors)
    assert any("ss_dataset_dirs: not JSON" in e for e in r.errors)


def test_cli_model_scan_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_HOME", str(tmp_path / "home"))
    d = tmp_path / "models"
    d.mkdir()
    write_safetensors(d / "a.safetensors", kohya_meta(TAGS["abusive_lora"], "a"))
    (d / "b.ckpt").write_bytes(pickle.dumps(Evil()))
    (d / "c.txt").write_text("not a model")
    r = CliRunner().invoke(app, ["model-scan", "--json", str(d), str(tmp_path / "missing")])
    assert r.exit_code == 0, r.output
    rows = {Path(x["path"]).name: x for x in map(json.loads, r.output.strip().splitlines())}
    assert rows["a.safetensors"]["findings"]
    assert rows["b.ckpt"]["security"]
    assert rows["c.txt"]["errors"] and rows["missing"]["errors"]
    r = CliRunner().invoke(app, ["model-scan", "--fail-on-finding", str(d)])
    assert r.exit_code == 1
