"""Readers report every bad input by shard, key and reason, and lose nothing else."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulwark.audit.readers import discover, read
from bulwark.audit.sample import DatasetError, Problem, Sample
from bulwark.audit.synthetic import Synthetic


def _split(items: list[Sample | Problem]) -> tuple[list[Sample], list[Problem]]:
    return [i for i in items if isinstance(i, Sample)], [i for i in items if isinstance(i, Problem)]


def test_webdataset_layout_groups_image_caption_and_json(synthetic: Synthetic) -> None:
    ds = discover([synthetic.root / "webdataset"])
    assert [s.kind for s in ds.shards] == ["webdataset"] * 4
    samples, problems = _split(list(read(ds.shards[0])))
    assert len(samples) == 16 and problems == []
    assert all(
        s.data and s.caption and s.url.startswith("https://") and len(s.md5) == 32 for s in samples
    )


def _tar(path: Path, members: list[tuple[str, bytes]], *, link: str | None = None) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, body in members:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        if link:
            info = tarfile.TarInfo(link)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return path


def test_truncated_tar_keeps_what_came_before(tmp_path: Path, photo_bytes: bytes) -> None:
    whole = _tar(tmp_path / "a.tar", [(f"k{i}.jpg", photo_bytes) for i in range(4)])
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[: len(photo_bytes) * 2 + 3000])
    samples, problems = _split(list(read(discover([cut]).shards[0])))
    assert [s.key for s in samples] == ["k0", "k1"]  # k2 is cut short: not hashed
    assert len(problems) == 1 and "truncated" in problems[0].reason and problems[0].key == "k2"
    assert problems[0].shard == "webdataset:cut.tar"


def test_traversal_links_and_caption_only_entries_are_reported(
    tmp_path: Path, photo_bytes: bytes
) -> None:
    path = _tar(
        tmp_path / "evil.tar",
        [
            ("../../etc/passwd", b"root:x:0:0"),
            ("/abs.jpg", photo_bytes),
            ("ok.jpg", photo_bytes),
            ("lonely.txt", b"hi"),
        ],
        link="link.jpg",
    )
    samples, problems = _split(list(read(discover([path]).shards[0])))
    assert [s.key for s in samples] == ["ok"]
    reasons = {p.key: p.reason for p in problems}
    assert (
        "path traversal" in reasons["../../etc/passwd"] and "path traversal" in reasons["/abs.jpg"]
    )
    assert "link" in reasons["link.jpg"] and "no image" in reasons["lonely"]
    assert not (tmp_path.parent / "etc").exists()


def test_parquet_missing_and_mistyped_columns(tmp_path: Path) -> None:
    pq.write_table(pa.table({"caption": ["a"], "similarity": [0.3]}), tmp_path / "nothing.parquet")
    pq.write_table(pa.table({"url": ["u"], "similarity": ["high"]}), tmp_path / "mistyped.parquet")
    pq.write_table(
        pa.table({"url": ["https://x/1", None], "md5": ["AB" * 16, None]}),
        tmp_path / "good.parquet",
    )
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    out = {s.id: _split(list(read(s))) for s in discover([tmp_path]).shards}
    assert "no column to match on" in out["parquet:nothing.parquet"][1][0].reason
    assert "'similarity' should hold numbers" in out["parquet:mistyped.parquet"][1][0].reason
    assert "not a readable Parquet file" in out["parquet:broken.parquet"][1][0].reason
    good, bad = out["parquet:good.parquet"]
    assert good[0].md5 == "ab" * 16 and good[0].url == "https://x/1"
    assert bad[0].key == "000000001" and "no image, md5 or url" in bad[0].reason


def test_embedding_rows_must_agree_with_metadata(tmp_path: Path, synthetic: Synthetic) -> None:
    laion = synthetic.root / "laion"
    np.save(laion / "img_emb" / "img_emb_1.npy", np.zeros((3, 64), np.float32))
    ds = discover([laion])
    assert len(ds.shards) == 4 and len(ds.embeddings) == 3  # rows still audited, vectors left out
    (p,) = ds.problems
    assert p.shard == "embeddings:laion/metadata_1.parquet" and "3 vectors but" in p.reason


def test_folder_skips_symlinks_out_and_reports_non_media_later(
    tmp_path: Path, photo_bytes: bytes
) -> None:
    root = tmp_path / "seized"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.jpg").write_bytes(photo_bytes)
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not an image")
    secret = tmp_path / "outside.jpg"
    secret.write_bytes(photo_bytes)
    os.symlink(secret, root / "escape.jpg")
    os.symlink(tmp_path, root / "escape_dir")
    ds = discover([root])
    assert {p.key for p in ds.problems} == {"escape.jpg", "escape_dir"}
    samples, _ = _split(list(read(ds.shards[0])))
    assert sorted(s.key for s in samples) == ["notes.pdf", "sub/a.jpg"]
    with pytest.raises(DatasetError, match="no such file or folder"):
        discover([tmp_path / "missing"])
