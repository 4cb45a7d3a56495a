"""What a reviewer's screen receives: blurred, greyscale, reduced — made on the server.

Blur applied by CSS alone still sends the unblurred bytes to the browser (one
"save image" away). Here the protected view is a new, small JPEG computed on
the server; the original bytes only leave on an audited reveal. The blur is a
reduction to a few dozen pixels across followed by smooth enlargement, which
removes identifying detail at any size and costs a few milliseconds (the
decoder does most of the shrinking: JPEGs decode DCT-scaled).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

from PIL import Image, ImageFilter

from bulwark.errors import CorruptMediaError
from bulwark.media.image import open_reduced
from bulwark.media.limits import DEFAULT_LIMITS, MediaLimits
from bulwark.media.sniff import MediaKind, sniff
from bulwark.media.video import open_video_frames

#: a video's protected view is a strip of this many frames, one every few seconds
SHEET_FRAMES = 4


@dataclass(frozen=True)
class Protection:
    blur: bool = True
    greyscale: bool = True
    max_side: int = 640
    #: the blurred image keeps this many pixels across its longer side
    blur_side: int = 24


DEFAULT = Protection()


def protected_jpeg(
    data: bytes, how: Protection = DEFAULT, limits: MediaLimits = DEFAULT_LIMITS
) -> bytes:
    """A JPEG safe to show by default; raises ``MediaError`` for what cannot be decoded."""
    # a blurred view needs no detail: decode at an eighth when the format allows
    size = how.blur_side * 8 if how.blur else how.max_side
    im = open_reduced(data, size, limits, grey=how.greyscale)
    return _encode(_protect(im, how))


def protected_view(
    data: bytes, how: Protection = DEFAULT, limits: MediaLimits = DEFAULT_LIMITS
) -> bytes:
    """The protected view of an image, or for a video a strip of protected frames
    (a reviewer sees the video itself only on a reveal, muted and paused)."""
    if sniff(data).kind is not MediaKind.VIDEO:
        return protected_jpeg(data, how, limits)
    _, frames = open_video_frames(data, limits, seconds_per_hash=2.0)
    shots = [
        _protect(Image.fromarray(f.pixels), how) for f in itertools.islice(frames, SHEET_FRAMES)
    ]
    if not shots:
        raise CorruptMediaError("no frame of this video could be decoded")
    width = sum(s.width for s in shots)
    sheet = Image.new(shots[0].mode, (width, max(s.height for s in shots)))
    x = 0
    for shot in shots:
        sheet.paste(shot, (x, 0))
        x += shot.width
    sheet.thumbnail((how.max_side * 2, how.max_side), Image.Resampling.BILINEAR)
    return _encode(sheet)


def _protect(im: Image.Image, how: Protection) -> Image.Image:
    im = im.convert("L" if how.greyscale else "RGB")
    if how.blur:
        # A blurred view carries no more than blur_side pixels of detail, so it is
        # sent at 8x that (the browser scales it to the card): a 640-px enlargement
        # here would cost more than all the rest and show nothing more.
        w, h = im.size
        fit = min(how.max_side, how.blur_side * 8) / max(w, h)
        shown = (max(1, round(w * fit)), max(1, round(h * fit)))
        scale = how.blur_side / max(w, h)
        tiny = im.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX)
        im = tiny.resize(shown, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    else:
        im.thumbnail((how.max_side, how.max_side), Image.Resampling.BILINEAR)
    return im


def _encode(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=70)
    return out.getvalue()


__all__ = ["DEFAULT", "SHEET_FRAMES", "Protection", "protected_jpeg", "protected_view"]
