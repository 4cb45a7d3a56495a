"""Read the metadata blocks of an image without decoding its pixels.

PNG text chunks (tEXt/zTXt/iTXt), EXIF (Software, UserComment, ImageDescription)
and XMP packets from JPEG, PNG and WebP, through Pillow's lazy open: the header
and metadata are parsed, the pixels are not. Sizes are bounded: Pillow refuses
text chunks over its limits, and we cap what we keep.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

from PIL import Image

from bulwark.errors import CorruptMediaError
from bulwark.media.image import _open
from bulwark.media.limits import DEFAULT_LIMITS, MediaLimits

MAX_FIELD_CHARS = 1_000_000
_EXIF_IFD = 0x8769
_TAGS = {0x0131: "Software", 0x010E: "ImageDescription", 0x013B: "Artist", 0x010F: "Make"}
_USER_COMMENT = 0x9286


@dataclass
class ImageMetadata:
    format: str
    mode: str
    size: tuple[int, int]
    text: dict[str, str] = field(default_factory=dict)  # PNG text chunks and similar
    exif: dict[str, str] = field(default_factory=dict)
    xmp: bytes | None = None
    problems: list[str] = field(default_factory=list)


def decode_user_comment(raw: bytes | str) -> str:
    """EXIF UserComment: an 8-byte charset prefix, then text (A1111 writes UNICODE + UTF-16)."""
    if isinstance(raw, str):
        return raw
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        if body.startswith((b"\xff\xfe", b"\xfe\xff")):
            return body.decode("utf-16", errors="replace")
        # no BOM: pick the byte order whose text has the NULs where ASCII would put them
        be = body[0::2].count(0) >= body[1::2].count(0)
        return body.decode("utf-16-be" if be else "utf-16-le", errors="replace")
    if prefix.startswith(b"ASCII"):
        return body.decode("ascii", errors="replace")
    return raw.decode("utf-8", errors="replace").strip("\x00")


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    return None


def read_metadata(data: bytes, limits: MediaLimits = DEFAULT_LIMITS) -> ImageMetadata:
    im, media_type = _open(data, limits)
    meta = ImageMetadata(media_type.format, im.mode, im.size)
    for key, value in im.info.items():
        if key in ("exif", "icc_profile", "dpi", "transparency", "gamma", "loop", "duration"):
            continue
        if key in ("xmp", "XML:com.adobe.xmp"):
            meta.xmp = value if isinstance(value, bytes) else str(value).encode("utf-8")
            continue
        text = _text(value)
        if text is not None:
            meta.text[str(key)] = text
    if media_type.format == "png" and "exif" not in im.info:
        # Pillow's PNG getexif() decodes every pixel to look for an eXIf chunk after
        # the image data; generators write their chunks before it, so we stop here.
        return meta
    try:
        exif = im.getexif()
        for tag, name in _TAGS.items():
            if tag in exif and (t := _text(exif[tag])):
                meta.exif[name] = t
        ifd = exif.get_ifd(_EXIF_IFD)
        if _USER_COMMENT in ifd:
            meta.exif["UserComment"] = decode_user_comment(ifd[_USER_COMMENT])[:MAX_FIELD_CHARS]
    except (OSError, ValueError, SyntaxError, struct.error) as exc:
        meta.problems.append(f"malformed EXIF: {exc}")
    return meta


def open_rgba(data: bytes) -> Image.Image | None:
    """The decoded image when it has an alpha channel (NovelAI hides metadata there)."""
    im = Image.open(io.BytesIO(data))
    if im.mode not in ("RGBA", "LA") and not (im.mode == "P" and "transparency" in im.info):
        return None
    try:
        return im.convert("RGBA")
    except OSError as exc:
        raise CorruptMediaError(f"cannot decode alpha channel: {exc}") from exc


__all__ = ["ImageMetadata", "decode_user_comment", "open_rgba", "read_metadata"]
