from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from bulwark.errors import CorruptMediaError, SignalError
from bulwark.signals import FileContent, hash_content
from bulwark.signals.pdq import hamming
from bulwark.signals.vpdq import VPDQSignal, value_to_features
from tests.conftest import encode


def make_video(path: Path, photos: list[Path], seconds_each: int = 1, fps: int = 10) -> Path:
    c = av.open(str(path), "w")
    s = c.add_stream("libx264", rate=fps)
    s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
    for p in photos:
        frame_img = np.asarray(Image.open(p).convert("RGB").resize((320, 240)))
        for _ in range(seconds_each * fps):
            for pkt in s.encode(av.VideoFrame.from_ndarray(frame_img, format="rgb24")):
                c.mux(pkt)
    for pkt in s.encode():
        c.mux(pkt)
    c.close()
    return path


def test_vpdq_interoperates_with_reference(tmp_path: Path, photos: list[Path]) -> None:
    vpdq = pytest.importorskip("vpdq", reason="reference vpdq needs FFmpeg dev libraries")
    video = make_video(tmp_path / "v.mp4", photos[:4])
    ref = vpdq.computeHash(str(video), seconds_per_hash=1.0)
    ours = VPDQSignal.compute_features(FileContent(video.read_bytes()))
    assert [f.frame_number for f in ours] == [f.frame_number for f in ref] == [0, 10, 20, 30]
    assert [round(f.timestamp, 3) for f in ours] == [round(f.timestamp, 3) for f in ref]
    for a, b in zip(ours, ref, strict=True):
        # Same decoder family, same frames: hashes agree to within colour-conversion noise.
        assert hamming(a.pdq_hex, b.hex) <= 8
        assert abs(a.quality - b.quality) <= 5


def test_vpdq_value_round_trips_threatexchange_format(tmp_path: Path, photos: list[Path]) -> None:
    from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq

    video = make_video(tmp_path / "v.mp4", photos[:2])
    sig = hash_content(FileContent(video.read_bytes())).first("vpdq")
    assert sig is not None and sig.details["frames"] == 2
    ref = json_to_vpdq(sig.value)  # threatexchange parses our value
    assert [f.pdq_hex for f in ref] == [f.pdq_hex for f in value_to_features(sig.value)]


def test_animated_gif_gets_vpdq(photos: list[Path]) -> None:
    frames = [Image.open(p).convert("RGB").resize((128, 128)) for p in photos[:3]]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=1000)
    sig = hash_content(FileContent(gif)).first("vpdq")
    assert sig is not None
    assert len(value_to_features(sig.value)) == 3


def test_corrupt_video_is_reported(tmp_path: Path, photos: list[Path]) -> None:
    video = make_video(tmp_path / "v.mp4", photos[:2]).read_bytes()
    broken = video[: len(video) // 3]
    r = hash_content(FileContent(broken))
    assert r.first("md5") is not None
    assert r.errors and "vpdq" in r.errors[0]
    with pytest.raises((CorruptMediaError, SignalError)):
        VPDQSignal.compute(FileContent(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64))


def test_bad_vpdq_values() -> None:
    with pytest.raises(SignalError, match="not JSON"):
        VPDQSignal.validate("{")
    with pytest.raises(SignalError, match="hash,quality,timestamp"):
        VPDQSignal.validate('["abc"]')
    with pytest.raises(SignalError, match="no frames"):
        VPDQSignal.validate("[]")
