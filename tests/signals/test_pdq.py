from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from bulwark.errors import SignalError
from bulwark.signals import FileContent, get_signal_type, hash_content, hash_path
from bulwark.signals.pdq import PDQSignal, hamming
from tests.conftest import encode


def test_pdq_is_bit_identical_to_threatexchange(photos: list[Path]) -> None:
    for p in photos:
        data = p.read_bytes()
        ref_hash, ref_quality = pdq_from_bytes(data)
        ours = hash_path(p).first("pdq")
        assert ours is not None
        assert (ours.value, ours.quality) == (ref_hash, ref_quality), p.name


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_pdq_identical_for_other_formats_and_grey(photos: list[Path], fmt: str) -> None:
    im = Image.open(photos[1]).convert("RGB")
    for variant in (im, im.convert("L")):
        data = encode(variant, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
        ours = hash_content(FileContent(data)).first("pdq")
        assert ours is not None
        assert (ours.value, ours.quality) == pdq_from_bytes(data)


def test_dihedral_variant_matches_rotated_copy(photos: list[Path]) -> None:
    im = Image.open(photos[2]).convert("RGB")
    rotated = encode(im.rotate(90, expand=True), "PNG")
    original = encode(im, "PNG")
    variants = hash_content(FileContent(original), dihedral=True).signals
    pdqs = [s for s in variants if s.type == "pdq"]
    assert len(pdqs) == 8 and pdqs[0].details["variant"] == "original"
    rot_hash = hash_content(FileContent(rotated)).first("pdq")
    assert rot_hash is not None
    assert min(hamming(v.value, rot_hash.value) for v in pdqs) <= 31
    assert hamming(pdqs[0].value, rot_hash.value) > 31


def test_low_quality_is_flagged_not_dropped() -> None:
    flat = encode(Image.new("RGB", (64, 64), (120, 120, 120)), "PNG")
    sig = hash_content(FileContent(flat)).first("pdq")
    assert sig is not None and sig.quality is not None and sig.quality < 50
    assert sig.details["low_quality"] is True


def test_fast_mode_stays_close_to_exact(photos: list[Path]) -> None:
    for p in photos[:6]:
        exact = hash_path(p).first("pdq")
        fast = hash_path(p, fast=True).first("pdq")
        assert exact and fast
        assert hamming(exact.value, fast.value) <= 10


def test_signal_validation_and_names() -> None:
    assert get_signal_type("video_md5").name == "md5"
    assert get_signal_type("PDQ") is PDQSignal
    with pytest.raises(SignalError, match="64 hex"):
        PDQSignal.validate("abc")
    with pytest.raises(SignalError, match="not hexadecimal"):
        PDQSignal.validate("z" * 64)
    with pytest.raises(SignalError, match="unknown signal type"):
        get_signal_type("photodna")


def test_digests_survive_undecodable_bytes(photo_bytes: bytes) -> None:
    import hashlib

    broken = photo_bytes[:1000]
    r = hash_content(FileContent(broken, name="broken.jpg"))
    assert r.first("md5") and r.first("md5").value == hashlib.md5(broken).hexdigest()  # type: ignore[union-attr]
    assert r.first("pdq") is None
    assert any("truncated JPEG" in e for e in r.errors)


def test_cmyk_pdq_is_computed(photos: list[Path]) -> None:
    im = Image.open(photos[3]).convert("CMYK")
    buf = io.BytesIO()
    im.save(buf, "JPEG")
    r = hash_content(FileContent(buf.getvalue()))
    rgb = hash_content(FileContent(encode(Image.open(photos[3]).convert("RGB"), "JPEG")))
    assert r.first("pdq") and rgb.first("pdq")
    assert hamming(r.first("pdq").value, rgb.first("pdq").value) <= 16  # type: ignore[union-attr]
