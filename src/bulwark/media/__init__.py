"""Open untrusted bytes safely: sniff the real type, enforce limits, decode."""

from bulwark.media.image import DecodedImage, decode_image, open_image_frames
from bulwark.media.limits import MediaLimits
from bulwark.media.sniff import MediaType, sniff

__all__ = ["DecodedImage", "MediaLimits", "MediaType", "decode_image", "open_image_frames", "sniff"]
