"""Write images that carry AI-generation metadata the way each tool writes it.

Tests and the provenance benchmark build their labelled sets from benign photos
with these writers; nothing here generates imagery, it only attaches metadata.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


# -- C2PA -----------------------------------------------------------------------
@dataclass(frozen=True)
class TestChain:
    """A root -> intermediate -> end-entity chain for signing test manifests."""

    root_pem: bytes
    chain_pem: bytes  # end-entity then intermediate, as the SDK wants them
    key_pem: bytes


def make_test_chain(name: str = "Bulwark Test") -> TestChain:
    """ES256 chain with the extensions the C2PA SDK insists on: critical KeyUsage
    digitalSignature and EKU emailProtection on the leaf, SKI/AKI everywhere."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def subject(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            ]
        )

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not sign,
            crl_sign=not sign,
            encipher_only=False,
            decipher_only=False,
        )

    def cert(
        cn: str, key: Any, issuer: str, issuer_key: Any, ca: bool, path_len: int | None
    ) -> Any:
        now = dt.datetime.now(dt.UTC)
        b = (
            x509.CertificateBuilder()
            .subject_name(subject(cn))
            .issuer_name(subject(issuer))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
            .add_extension(usage(not ca), critical=True)
        )
        if not ca:
            b = b.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
        return b.sign(issuer_key, hashes.SHA256())

    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = cert("Root CA", root_key, "Root CA", root_key, True, 1)
    inter = cert("Intermediate CA", inter_key, "Root CA", root_key, True, 0)
    leaf = cert("Signer", leaf_key, "Intermediate CA", inter_key, False, None)
    pem = serialization.Encoding.PEM
    return TestChain(
        root.public_bytes(pem),
        leaf.public_bytes(pem) + inter.public_bytes(pem),
        leaf_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def c2pa_signed(
    im: Image.Image,
    fmt: str,
    chain: TestChain,
    *,
    source_type: str = "trainedAlgorithmicMedia",
    generator: str = "ExampleGen",
) -> bytes:
    """The photo with a signed manifest whose c2pa.actions name ``source_type``."""
    import c2pa

    src = io.BytesIO()
    im.convert("RGB").save(src, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    src.seek(0)
    manifest = {
        "claim_generator_info": [{"name": generator, "version": "1.0"}],
        "title": f"generated.{fmt.lower()}",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": f"http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}",
                        }
                    ]
                },
            }
        ],
    }
    info = c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=chain.chain_pem, private_key=chain.key_pem, ta_url=None
    )
    signer = c2pa.Signer.from_info(info)
    dest = io.BytesIO()
    mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    c2pa.Builder(json.dumps(manifest)).sign(signer, mime, src, dest)
    return dest.getvalue()


def c2pa_edit_of(signed: bytes, im: Image.Image, chain: TestChain) -> bytes:
    """A JPEG whose own manifest says "opened and edited", with ``signed`` as its
    parent ingredient: the AI statement then lives only in the ingredient's manifest."""
    import c2pa

    manifest = {
        "claim_generator_info": [{"name": "PhotoEditor", "version": "3"}],
        "title": "edited.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
                        {"action": "c2pa.edited"},
                    ]
                },
            }
        ],
    }
    builder = c2pa.Builder(json.dumps(manifest))
    builder.add_ingredient(
        json.dumps({"title": "parent.jpg", "relationship": "parentOf", "label": "parent"}),
        "image/jpeg",
        io.BytesIO(signed),
    )
    info = c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=chain.chain_pem, private_key=chain.key_pem, ta_url=None
    )
    src = io.BytesIO()
    im.convert("RGB").save(src, "JPEG", quality=90)
    src.seek(0)
    dest = io.BytesIO()
    builder.sign(c2pa.Signer.from_info(info), "image/jpeg", src, dest)
    return dest.getvalue()
