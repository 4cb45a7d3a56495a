from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulwark.banks.exchanges import fetch_into_bank
from bulwark.banks.formats import WRITERS, read_file
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.errors import BankError, BankImportError

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5_A = "d41d8cd98f00b204e9800998ecf8427e"
SHA1_A = "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_create_list_labels_and_duplicate_names(store: BankStore) -> None:
    b = store.create(
        "hotline",
        description="test list",
        category="child_safety.known_csam",
        ncmec_classification="b2",
        tags=["partner:x"],
        pdq_threshold=20,
    )
    assert b.ncmec_classification == "B2" and b.pdq_threshold == 20
    store.create("benign", negative=True)
    assert [x.name for x in store.banks()] == ["benign", "hotline"]
    assert store.get("benign").is_negative
    with pytest.raises(BankError, match="already exists"):
        store.create("hotline")
    with pytest.raises(BankError, match="unknown category"):
        store.create("x", category="nope")
    with pytest.raises(BankError, match="A1, A2, B1, B2"):
        store.create("y", ncmec_classification="C9")
    with pytest.raises(BankError, match="no bank named"):
        store.get("missing")


def test_add_dedupes_and_disable_keeps_entry(store: BankStore) -> None:
    store.create("b")
    added, dup = store.add_entries("b", [NewEntry("pdq", PDQ_A), NewEntry("video_md5", MD5_A)])
    assert (added, dup) == (2, 0)
    assert store.add_entries("b", [NewEntry("pdq", PDQ_A.upper())]) == (0, 1)
    e = store.find_entries("b", "md5", MD5_A)[0]
    assert e.signal_type == "md5"
    store.set_entry_enabled(e.id, False, "false positive")
    assert store.get_entry(e.id).enabled is False
    assert e.id in store.disabled_entry_ids()
    assert store.get("b").entry_count == 2
    store.set_entry_enabled(e.id, True)
    assert store.disabled_entry_ids() == set()
    with pytest.raises(BankError, match="no bank entry"):
        store.set_entry_enabled(999_999, False)
    store.delete("b")
    assert store.banks() == []


def test_malformed_import_names_lines_and_imports_nothing(store: BankStore, tmp_path: Path) -> None:
    store.create("b")
    f = tmp_path / "bad.txt"
    f.write_text(f"pdq {PDQ_A}\npdq 12zz\n\nbogus {MD5_A}\nmd5 {MD5_A[:-2]}\nmd5\n")
    with pytest.raises(BankImportError) as exc:
        store.add_entries("b", read_file(f), source_name=str(f))
    msg = str(exc.value)
    assert "line 6: expected '<signal_type> <hash>'" in msg
    f.write_text(f"pdq {PDQ_A}\npdq 12zz\n\nbogus {MD5_A}\nmd5 {MD5_A[:-2]}\n")
    with pytest.raises(BankImportError) as exc:
        store.add_entries("b", read_file(f), source_name=str(f))
    assert [n for n, _ in exc.value.problems] == [2, 4, 5]
    assert "unknown signal type 'bogus'" in str(exc.value)
    assert "got 30" in str(exc.value)
    assert store.get("b").entry_count == 0


@pytest.mark.parametrize("fmt", ["txt", "csv"])
def test_export_import_round_trip(store: BankStore, tmp_path: Path, fmt: str) -> None:
    store.create("src")
    store.add_entries(
        "src",
        [NewEntry("pdq", PDQ_A, "s", {"k": 1}), NewEntry("md5", MD5_A), NewEntry("sha1", SHA1_A)],
    )
    out = tmp_path / f"bank.{fmt}"
    with out.open("w", newline="") as f:
        assert WRITERS[fmt](store.iter_entries("src"), f) == 3
    if fmt == "txt":
        assert out.read_text().splitlines()[0] == f"pdq {PDQ_A}"
    store.create("dst")
    assert store.add_entries("dst", read_file(out)) == (3, 0)
    got = {(e.signal_type, e.value) for e in store.iter_entries("dst")}
    assert got == {("pdq", PDQ_A), ("md5", MD5_A), ("sha1", SHA1_A)}


def test_threatexchange_reads_our_txt_export(store: BankStore, tmp_path: Path) -> None:
    from threatexchange.exchanges.impl.file_api import (
        FileCollaborationConfig,
        LocalFileSignalExchangeAPI,
    )
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal

    store.create("src")
    store.add_entries("src", [NewEntry("pdq", PDQ_A), NewEntry("md5", MD5_A)])
    out = tmp_path / "bank.txt"
    with out.open("w") as f:
        WRITERS["txt"](store.iter_entries("src"), f)
    api = LocalFileSignalExchangeAPI(FileCollaborationConfig(name="f", filename=str(out)))
    delta = next(api.fetch_iter([PdqSignal, VideoMD5Signal], None))
    assert set(delta.updates) == {("pdq", PDQ_A), ("video_md5", MD5_A)}


def _vics13() -> dict[str, object]:
    return {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
        "value": [
            {
                "CaseID": "c1",
                "Media": [
                    {
                        "MediaID": 1,
                        "Category": 1,
                        "MD5": MD5_A.upper(),
                        "SHA1": SHA1_A.upper(),
                        "PhotoDNA": "QUJD" * 36,
                    },
                    {"MediaID": 2, "Category": 0, "MD5": "0" * 32},
                ],
            }
        ],
    }


def _vics20() -> dict[str, object]:
    return {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": [{"MediaID": 7, "Category": 2, "MD5": MD5_A, "SHA1": SHA1_A, "PhotoDNA": "QUJD"}],
    }


@pytest.mark.parametrize(("doc", "count"), [(_vics13(), 3), (_vics20(), 2)])
def test_vics_import_keeps_photodna_as_not_computable(
    store: BankStore, tmp_path: Path, doc: dict[str, object], count: int
) -> None:
    f = tmp_path / "vics.json"
    f.write_text(json.dumps(doc))
    store.create("vic")
    assert store.add_entries("vic", read_file(f)) == (count, 0)
    e = store.find_entries("vic", "md5", MD5_A)[0]
    assert e.metadata["photodna_computable"] is False and e.metadata["photodna"]
    assert e.metadata["Category"] in (1, 2)
    out = tmp_path / "out.json"
    with out.open("w") as fh:
        WRITERS["vics"](store.iter_entries("vic"), fh)
    back = json.loads(out.read_text())
    assert "@odata.context" in back and len(back["value"]) == count


def test_bad_vics_and_csv(tmp_path: Path) -> None:
    f = tmp_path / "v.json"
    f.write_text("{not json")
    with pytest.raises(BankImportError, match="invalid JSON"):
        read_file(f)
    f.write_text('{"nothing": 1}')
    with pytest.raises(BankImportError, match="no top-level 'value'"):
        read_file(f)
    c = tmp_path / "c.csv"
    c.write_text("kind,hash\npdq,abc\n")
    with pytest.raises(BankImportError, match="header lacks"):
        read_file(c)
    c.write_text(f'signal_type,value,metadata\npdq,{PDQ_A},"[1]"\n')
    with pytest.raises(BankImportError, match="line 2: bad metadata"):
        read_file(c)


def test_fetch_from_threatexchange_exchanges(store: BankStore, tmp_path: Path) -> None:
    store.create("sample")
    added, _ = fetch_into_bank(store, "sample", "sample", {})
    assert added >= 10
    assert {e.signal_type for e in store.iter_entries("sample")} >= {"pdq", "md5"}
    f = tmp_path / "hashes.txt"
    f.write_text(f"pdq {PDQ_A}\nvideo_md5 {MD5_A}\n")
    store.create("file")
    assert fetch_into_bank(store, "file", "file", {"filename": str(f)}) == (2, 0)
    e = store.find_entries("file", "pdq", PDQ_A)[0]
    assert e.source.startswith("exchange:file")
    with pytest.raises(BankError, match="unknown exchange"):
        fetch_into_bank(store, "file", "nope", {})
    with pytest.raises(BankError, match="fetch from ncmec failed"):
        fetch_into_bank(store, "file", "ncmec", {"environment": "test"})
