"""Investigator triage: archives opened safely, duplicates and bank matches need no
human view, the ranking and the report."""

from __future__ import annotations

import csv
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

from bulwark.audit.archives import ArchiveLimits, members
from bulwark.audit.stages import AuditOptions
from bulwark.audit.triage import TriageFile, TriageOptions, _rank, triage
from tests.console.conftest import near_copy


def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in entries:
            z.writestr(name, body)
    return buf.getvalue()


def test_archive_limits_refuse_bombs_traversal_and_nesting(photo_bytes: bytes) -> None:
    bomb = _zip([("zeros.bin", b"\0" * 5_000_000)], zipfile.ZIP_DEFLATED)
    (m,) = members("bomb.zip", bomb)
    assert m.data is None and "zip bomb" in m.problem
    evil = _zip(
        [
            ("../../etc/passwd", b"x"),
            ("C:/win.jpg", photo_bytes),
            ("in.zip", b"PK"),
            ("ok.jpg", photo_bytes),
        ]
    )
    got = {m.name: m for m in members("evil.zip", evil)}
    assert (
        "path traversal" in got["../../etc/passwd"].problem
        and "path traversal" in got["C:/win.jpg"].problem
    )
    assert "archive inside" in got["in.zip"].problem and got["ok.jpg"].data == photo_bytes
    many = _zip([(f"{i}.jpg", b"x") for i in range(5)])
    listed = list(members("many.zip", many, ArchiveLimits(max_members=3)))
    assert [m.data is not None for m in listed] == [True, True, True, False]
    assert "the rest not read" in listed[-1].problem
    assert "not a readable zip" in next(members("bad.zip", b"PK\x03\x04broken")).problem
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("a.jpg")
        info.size = len(photo_bytes)
        t.addfile(info, io.BytesIO(photo_bytes))
    assert next(members("x.tar.gz", buf.getvalue())).data == photo_bytes


def test_triage_ranks_and_counts_what_needed_no_view(
    tmp_path: Path, photos: list[Path], banked: AuditOptions
) -> None:
    # the bank fixture knows photos[0..2] (synthetic.known); photos[7] is unknown
    folder = tmp_path / "seized"
    folder.mkdir()
    known = photos[0].read_bytes()
    (folder / "a.jpg").write_bytes(known)
    (folder / "a-copy.jpg").write_bytes(known)  # exact duplicate
    (folder / "a-small.jpg").write_bytes(near_copy(known))  # near-duplicate
    (folder / "other.jpg").write_bytes(photos[7].read_bytes())
    (folder / "notes.txt.pdf").write_bytes(b"%PDF-1.4")
    (folder / "bundle.zip").write_bytes(
        _zip([("inner/b.jpg", photos[8].read_bytes()), ("../up.jpg", known)])
    )
    os.symlink(tmp_path, folder / "out-link")
    s = triage(
        folder,
        tmp_path / "out",
        TriageOptions(
            banks=banked.banks,
            db_url=banked.db_url,
            index_dir=banked.index_dir,
            thumbnails=True,
            progress=False,
        ),
    )
    with (tmp_path / "out" / "triage.csv").open() as f:
        rows = {r["path"]: r for r in csv.DictReader(f)}
    assert {rows[p]["priority"] for p in ("a.jpg", "a-copy.jpg", "a-small.jpg")} == {"1"}
    assert rows["a.jpg"]["duplicate_of"] == "a-copy.jpg"  # the first in path order is kept
    assert "bank match" in rows["a-small.jpg"]["reason"]  # within the bank's own threshold
    assert (
        rows["other.jpg"]["priority"] == "4" and rows["bundle.zip!inner/b.jpg"]["priority"] == "4"
    )
    assert rows["notes.txt.pdf"]["kind"] == "other"
    assert s["needed_no_human_view"] == 3 and s["media_files"] == 5
    problems = (tmp_path / "out" / "problems.csv").read_text()
    assert "bundle.zip!../up.jpg" in problems and "out-link" in problems
    report = (tmp_path / "out" / "report.html").read_text()
    assert "3 of 5 media files needed no human view" in report
    assert report.count("data:image/jpeg") == 2  # thumbnails for the unmatched two only
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["bank_matches"] == 3


def test_near_duplicates_of_a_match_inherit_it_through_the_stack() -> None:
    matched = TriageFile("m.jpg", "image", sha256="1", pdq="f" * 64, banks="known", stack=1)
    near = TriageFile("n.jpg", "image", sha256="2", pdq="f" * 63 + "0", stack=1)
    alone = TriageFile(
        "s.jpg", "image", sha256="3", pdq="0" * 64, stack=2, nudity=0.9, provenance="none found"
    )
    ai = TriageFile(
        "t.jpg", "image", sha256="4", pdq="0" * 63 + "1", stack=3, nudity=0.9, provenance="likely"
    )
    rows = [matched, near, alone, ai]
    _rank(rows, {r.sha256: r for r in rows}, nudity=True)
    assert [(r.priority, r.needs_human) for r in rows] == [
        (1, False),
        (1, False),
        (2, True),
        (3, True),
    ]
    assert "near-duplicate of a bank match" in near.reason
