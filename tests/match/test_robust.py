"""Crop-robust matching: bars found and trimmed, sub-regions, banked crops,
verification, routes per bank, and a defined answer for every odd image."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from bulwark.banks.augment import crop_entries
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.cli import app
from bulwark.errors import BankError
from bulwark.match.matcher import Matcher
from bulwark.match.robust import match_robust, query_parts
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.signals import FileContent, hash_content
from bulwark.signals.regions import find_bars
from bulwark.store.db import Database
from tests.conftest import encode


def _im(photo: Path) -> Image.Image:
    return Image.open(photo).convert("RGB")


def cropped(im: Image.Image, share: float = 0.05) -> bytes:
    w, h = im.size
    box = (round(w * share), round(h * share), round(w * (1 - share)), round(h * (1 - share)))
    return encode(im.crop(box), "JPEG", quality=90)


def captioned(im: Image.Image) -> bytes:
    w, h = im.size
    out = Image.new("RGB", (w, h + h // 10), (255, 255, 255))
    out.paste(im, (0, 0))
    ImageDraw.Draw(out).text((10, h + 10), "some caption text", fill=(0, 0, 0))
    return encode(out, "JPEG", quality=90)


def _bank(
    db: Database,
    tmp_path: Path,
    photos: list[Path],
    *,
    augment: bool,
    routes: tuple[str, ...] | None = None,
) -> Matcher:
    store = BankStore(db)
    store.create("b", augment_crops=augment, **({"routes": routes} if routes else {}))
    entries = []
    for p in photos:
        content = FileContent(p.read_bytes(), name=p.name)
        pdq = hash_content(content).first("pdq")
        assert pdq is not None
        entries.append(NewEntry("pdq", pdq.value, p.name, {"item": p.name}))
        if augment:
            entries += [
                NewEntry("pdq", e.value, p.name, {**e.metadata, "item": p.name})
                for e in crop_entries(content, p.name)
            ]
    store.add_entries("b", entries)
    return Matcher(store, tmp_path / "index")


def _routes(matcher: Matcher, data: bytes) -> list[tuple[str, str]]:
    content = FileContent(data)
    found = match_robust(matcher, hash_content(content), content)
    return [
        (matcher.store.get_entry(r.match.entry_id).metadata["item"], r.route) for r in found.matches
    ]


def test_bars_are_found_and_odd_images_get_a_defined_answer(photos: list[Path]) -> None:
    im = _im(photos[1])
    bar = find_bars(np.asarray(Image.open(io.BytesIO(captioned(im))).convert("RGB")))
    assert bar.sides == ("bottom",) and bar.box is not None and abs(bar.box[3] - im.height) <= 3
    letterbox = Image.new("RGB", (im.width, im.height + 100))
    letterbox.paste(im, (0, 50))
    assert find_bars(np.asarray(letterbox)).box == (0, 50, im.width, im.height + 50)
    flat = np.full((200, 300, 3), 90, np.uint8)
    assert find_bars(flat).empty  # all border
    thin = np.asarray(im).copy()
    thin[-1] = 0  # a 1-pixel bar: left alone
    assert find_bars(thin).box is None
    assert find_bars(np.zeros((0, 5, 3), np.uint8)).empty
    for data in (
        encode(Image.fromarray(flat), "PNG"),
        encode(im.resize((20, 20)), "PNG"),
        b"not an image",
    ):
        parts = query_parts(FileContent(data))  # never raises
        assert parts.notes and all(name != "trimmed" for name, _ in parts.hashes)


def test_cropped_reupload_matches_an_augmented_bank_only(
    db: Database, tmp_path: Path, photos: list[Path]
) -> None:
    known = photos[1:4]
    aug = _bank(db, tmp_path, known, augment=True)
    assert _routes(aug, cropped(_im(photos[1]))) == [(photos[1].name, "bank_crop")]
    assert _routes(aug, photos[7].read_bytes()) == []  # a distinct photo: nothing


def test_hash_only_bank_still_catches_caption_bars(tmp_path: Path, photos: list[Path]) -> None:
    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    plain = _bank(db, tmp_path, photos[1:4], augment=False)
    assert _routes(plain, cropped(_im(photos[2]))) == []  # no pixels to crop in a hash list
    assert _routes(plain, captioned(_im(photos[2]))) == [(photos[2].name, "trimmed")]
    assert "hash-only" in BankStore(db).get("b").summary()["crop_robustness"]


def test_routes_are_configurable_per_bank(tmp_path: Path, photos: list[Path]) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    only_full = _bank(db, tmp_path, photos[1:4], augment=True, routes=("full",))
    assert _routes(only_full, cropped(_im(photos[1]))) == []
    assert _routes(only_full, photos[1].read_bytes()) == [(photos[1].name, "full")]
    with pytest.raises(BankError, match="match routes must be among"):
        BankStore(db).create("x", routes=("sideways",))


def test_cli_and_api_augment_banked_files(
    db: Database, tmp_path: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULWARK_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    r = runner.invoke(app, ["bank", "create", "mine", "--augment-crops"])
    assert r.exit_code == 0 and "six fixed" in r.output
    r = runner.invoke(app, ["bank", "add", "mine", str(photos[1])])
    assert r.exit_code == 0 and "added 10 entries" in r.output  # 4 digests/PDQ + 6 crops
    query = tmp_path / "cropped.jpg"
    query.write_bytes(cropped(_im(photos[1])))
    r = runner.invoke(app, ["match", str(query), "--json"])
    (found,) = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert [(m["route"], m["bank_part"], m["verified"]) for m in found["matches"]] == [
        ("bank_crop", "center90", True)
    ]

    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    admin, _ = KeyStore(db).create("ops", "admin")
    platform, _ = KeyStore(db).create("platform", "client")
    spec = {"name": "aug", "augment_crops": True, "match_routes": ["full", "bank_crop"]}
    r = client.post("/v1/banks", json=spec, headers={"X-API-Key": admin})
    assert r.status_code == 201 and r.json()["augment_crops"] is True
    r = client.post(
        "/v1/banks/aug/content",
        files={"file": ("p.jpg", photos[3].read_bytes())},
        headers={"X-API-Key": admin},
    )
    assert r.json()["added"] >= 9
    r = client.post(
        "/v1/images",
        files={"file": ("c.jpg", cropped(_im(photos[3])))},
        headers={"X-API-Key": platform},
    )
    matches = r.json()["details"]["bank_matches"]
    assert [(m["bank"], m["route"], m["verified"]) for m in matches] == [("aug", "bank_crop", True)]
