"""Write images that carry AI-generation metadata the way each tool writes it.

Tests and the provenance benchmark build their labelled sets from benign photos
with these writers; nothing here generates imagery, it only attaches metadata.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from PIL import Image, PngImagePlugin

from bulwark.analyze.provenance.stealth import write_stealth

A1111_PARAMETERS = (
    "a lighthouse on a cliff, oil painting\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x512, "
    'Model hash: 6ce0161689, Model: sd_xl_base_1.0, Lora hashes: "detail: 0123456789ab", '
    "Version: v1.9.4"
)
COMFY_PROMPT = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20}},
    "6": {
        "class_type": "CLIPTextEncode",
        "inputs": {"text": "a lighthouse at dusk", "clip": ["4", 1]},
    },
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
}
COMFY_WORKFLOW = {
    "nodes": [
        {"id": 6, "type": "CLIPTextEncode", "widgets_values": ["a lighthouse at dusk"]},
        {"id": 3, "type": "KSampler", "widgets_values": [5, "fixed", 20]},
    ]
}
NOVELAI_COMMENT = {"prompt": "a lighthouse, watercolor", "uc": "lowres", "steps": 28, "scale": 5}


def xmp_packet(form: str, value: str = "trainedAlgorithmicMedia", extra: str = "") -> bytes:
    uri = f"http://cv.iptc.org/newscodes/digitalsourcetype/{value}"
    ns = (
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
    )
    if form == "attribute":
        desc = (
            f'<rdf:Description {ns} Iptc4xmpExt:DigitalSourceType="{uri}">{extra}</rdf:Description>'
        )
    elif form == "element":
        desc = (
            f"<rdf:Description {ns}><Iptc4xmpExt:DigitalSourceType>{uri}"
            f"</Iptc4xmpExt:DigitalSourceType>{extra}</rdf:Description>"
        )
    else:
        desc = (
            f'<rdf:Description {ns}><Iptc4xmpExt:DigitalSourceType rdf:resource="{uri}"/>'
            f"{extra}</rdf:Description>"
        )
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'{desc}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def ai_fields_xml(prompt: str) -> str:
    return (
        "<Iptc4xmpExt:AISystemUsed>ExampleGen 2</Iptc4xmpExt:AISystemUsed>"
        f"<Iptc4xmpExt:AIPromptInformation>{prompt}</Iptc4xmpExt:AIPromptInformation>"
    )


def _png(im: Image.Image, text: dict[str, str], **kw: object) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in text.items():
        if k.startswith("XML:") or not v.isascii():
            info.add_itxt(k, v)
        else:
            info.add_text(k, v)
    b = io.BytesIO()
    im.save(b, "PNG", pnginfo=info, **kw)
    return b.getvalue()


def _user_comment(text: str) -> bytes:
    return b"UNICODE\x00" + text.encode("utf-16-be")


def _with_exif(
    im: Image.Image,
    fmt: str,
    user_comment: str | None = None,
    software: str | None = None,
    **kw: object,
) -> bytes:
    exif = Image.Exif()
    if software:
        exif[0x0131] = software
    if user_comment is not None:
        exif.get_ifd(0x8769)[0x9286] = _user_comment(user_comment)
    b = io.BytesIO()
    im.convert("RGB").save(b, fmt, exif=exif, **kw)
    return b.getvalue()


def a1111(im: Image.Image, fmt: str, parameters: str = A1111_PARAMETERS) -> bytes:
    if fmt == "PNG":
        return _png(im, {"parameters": parameters})
    return _with_exif(im, fmt, user_comment=parameters, quality=90)


def comfyui(im: Image.Image, fmt: str) -> bytes:
    if fmt == "PNG":
        return _png(
            im, {"prompt": json.dumps(COMFY_PROMPT), "workflow": json.dumps(COMFY_WORKFLOW)}
        )
    # ComfyUI's (animated) WebP saver writes "Workflow:<json>" and "Prompt:<json>"
    # into EXIF text fields (ImageDescription, Make)
    exif = Image.Exif()
    exif[0x010E] = "Workflow:" + json.dumps(COMFY_WORKFLOW)
    exif[0x010F] = "Prompt:" + json.dumps(COMFY_PROMPT)
    b = io.BytesIO()
    im.convert("RGB").save(b, fmt, exif=exif, quality=90)
    return b.getvalue()


def novelai(im: Image.Image, fmt: str, stealth: bool = False) -> bytes:
    fields: dict[str, str] = {
        "Title": "AI generated image",
        "Description": str(NOVELAI_COMMENT["prompt"]),
        "Software": "NovelAI",
        "Source": "NovelAI Diffusion V3 4BDE2A90",
        "Comment": json.dumps(NOVELAI_COMMENT),
    }
    if stealth:
        return _png(write_stealth(im, dict(fields)), {})
    return _png(im, fields)


def xmp_tagged(im: Image.Image, fmt: str, form: str = "attribute", extra: str = "") -> bytes:
    if fmt == "PNG":  # PNG keeps XMP in an iTXt chunk named XML:com.adobe.xmp
        return _png(im, {"XML:com.adobe.xmp": xmp_packet(form, extra=extra).decode()})
    b = io.BytesIO()
    im.convert("RGB").save(
        b, fmt, xmp=xmp_packet(form, extra=extra), **({"quality": 90} if fmt != "PNG" else {})
    )
    return b.getvalue()


def software_tagged(im: Image.Image, fmt: str, software: str = "Adobe Firefly") -> bytes:
    return _with_exif(im, fmt, software=software, quality=90)


def watermarked(im: Image.Image, fmt: str, mark: str = "sdxl", size: int = 1024) -> bytes:
    """Mark a photo the way the SD pipelines do (diffusers passes RGB to a BGR API)."""
    import numpy as np
    from imwatermark import WatermarkEncoder

    from bulwark.analyze.provenance.watermark import MARKS

    arr = np.array(im.convert("RGB").resize((size, size), Image.Resampling.LANCZOS))
    enc = WatermarkEncoder()
    enc.set_watermark("bits", MARKS[mark][0])
    marked = enc.encode(arr, "dwtDct")
    b = io.BytesIO()
    Image.fromarray(marked).save(b, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return b.getvalue()


WRITERS: dict[str, Callable[[Image.Image, str], bytes]] = {
    "a1111": a1111,
    "comfyui": comfyui,
    "novelai": novelai,
    "novelai_stealth": lambda im, fmt: novelai(im, fmt, stealth=True),
    "xmp_attribute": lambda im, fmt: xmp_tagged(im, fmt, "attribute"),
    "xmp_element": lambda im, fmt: xmp_tagged(im, fmt, "element"),
    "xmp_resource": lambda im, fmt: xmp_tagged(im, fmt, "resource"),
    "software": software_tagged,
}
#: formats each writer supports (NovelAI writes PNG only; stealth needs lossless alpha)
FORMATS: dict[str, tuple[str, ...]] = {
    "a1111": ("PNG", "JPEG", "WEBP"),
    "comfyui": ("PNG", "WEBP"),
    "novelai": ("PNG",),
    "novelai_stealth": ("PNG",),
    "xmp_attribute": ("PNG", "JPEG", "WEBP"),
    "xmp_element": ("PNG", "JPEG", "WEBP"),
    "xmp_resource": ("PNG", "JPEG", "WEBP"),
    "software": ("JPEG", "WEBP"),
}

__all__ = ["FORMATS", "WRITERS", "a1111", "ai_fields_xml", "comfyui", "novelai", "xmp_packet"]
