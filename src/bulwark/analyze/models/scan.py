"""Scan one model file: format, hashes, training metadata, unsafe pickles, bank matches.

Nothing in a model file is executed or fully loaded: safetensors headers are
parsed within bounds, pickles are read as opcodes only, and the file is hashed
in one streaming pass.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulwark.analyze.models.pickle_scan import scan_pickle_file
from bulwark.analyze.models.safetensors_header import looks_like_safetensors, read_header_path
from bulwark.analyze.models.training_metadata import audit_training, parse_training_metadata
from bulwark.banks.model import Bank, BankEntry
from bulwark.banks.store import BankStore
from bulwark.errors import BulwarkError
from bulwark.evidence import Evidence
from bulwark.signals.model_hashes import MODEL_HASH_TYPES, model_file_hashes


@dataclass
class ModelScanResult:
    path: str
    format: str = "unknown"
    size: int = 0
    hashes: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    findings: list[Evidence] = field(default_factory=list)
    security: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.findings or self.security)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "size": self.size,
            "hashes": self.hashes,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
            "security": self.security,
            "errors": self.errors,
        }


class ModelHashBanks:
    """Enabled model-hash entries of enabled banks, looked up by value."""

    def __init__(self, store: BankStore) -> None:
        self.banks: dict[int, Bank] = {b.id: b for b in store.banks() if b.enabled}
        disabled = store.disabled_entry_ids()
        self._by_value: dict[tuple[str, str], list[BankEntry]] = {}
        for st in MODEL_HASH_TYPES:
            for e in store.iter_entries(signal_type=st):
                if e.enabled and e.id not in disabled and e.bank_id in self.banks:
                    self._by_value.setdefault((st, e.value), []).append(e)

    def evidence(self, hashes: dict[str, str]) -> list[Evidence]:
        out = []
        for st, value in hashes.items():
            for e in self._by_value.get((st, value), []):
                bank = self.banks[e.bank_id]
                if bank.is_negative or bank.category is None:
                    continue
                out.append(
                    Evidence(
                        source="bank_match",
                        category=bank.category,
                        score=1.0,
                        analyzer="models.hash_banks",
                        rule=st,
                        details={"bank": bank.name, "entry_id": e.id, "signal_type": st},
                    )
                )
        return out


PICKLE_SUFFIXES = {".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle"}


def _format(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if looks_like_safetensors(head):
        return "safetensors"
    if head.startswith(b"PK\x03\x04"):
        return "pytorch_zip"
    if head[:1] == b"\x80" or path.suffix.lower() in PICKLE_SUFFIXES:
        return "pickle"
    return "unknown"


def _zip_summary(path: Path, errors: list[str]) -> dict[str, Any]:
    """What a torch zip lists, without unpickling: member names, the format version."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            out: dict[str, Any] = {"members": len(names), "member_names": names[:20]}
            version = next((n for n in names if n.endswith("/version")), None)
            if version and z.getinfo(version).file_size < 64:
                out["torch_format_version"] = z.read(version).decode("ascii", "replace").strip()
            out["tensor_blobs"] = sum("/data/" in n for n in names)
            return out
    except (zipfile.BadZipFile, OSError) as exc:
        errors.append(f"not a readable zip: {exc}")
        return {}


def scan_model(path: Path, banks: ModelHashBanks | None = None) -> ModelScanResult:
    """Never raises for a bad file: problems go to ``errors`` and the batch goes on."""
    result = ModelScanResult(str(path))
    try:
        result.size = path.stat().st_size
        result.format = _format(path)
    except OSError as exc:
        result.errors.append(f"cannot read: {exc.strerror or exc}")
        return result
    data_offset = None
    if result.format == "safetensors":
        try:
            header = read_header_path(path)
        except BulwarkError as exc:
            result.errors.append(str(exc))
        else:
            data_offset = header.data_offset
            info = parse_training_metadata(header.metadata)
            result.summary = {
                "tensors": header.tensor_count,
                "metadata_keys": sorted(header.metadata)[:100],
                "training_folders": sorted(info.tag_frequency)[:50],
                "training_images": info.total_images,
                "trigger": info.texts.get("modelspec.trigger_phrase"),
                "output_name": info.texts.get("ss_output_name"),
            }
            result.errors += info.problems
            result.findings += audit_training(info)
    elif result.format in ("pytorch_zip", "pickle"):
        if result.format == "pytorch_zip":
            result.summary.update(_zip_summary(path, result.errors))
        try:
            scan = scan_pickle_file(path)
        except Exception as exc:  # picklescan on a hostile file: report and go on
            result.errors.append(f"pickle scan failed: {exc}")
        else:
            result.security = [
                {"module": i.module, "name": i.name, "safety": i.safety}
                for i in scan.imports
                if i.safety != "innocuous"
            ]
            if scan.scan_error:
                result.errors.append("pickle stream could not be fully parsed")
            result.summary["imports"] = len(scan.imports)
    else:
        result.errors.append("not a safetensors, torch zip or pickle model file")
    try:
        result.hashes = model_file_hashes(path, data_offset)
    except OSError as exc:
        result.errors.append(f"cannot hash: {exc.strerror or exc}")
    if banks is not None and result.hashes:
        result.findings += banks.evidence(result.hashes)
    return result


def scan_models(
    paths: Iterable[Path], banks: ModelHashBanks | None = None
) -> list[ModelScanResult]:
    return [scan_model(p, banks) for p in paths]


__all__ = ["ModelHashBanks", "ModelScanResult", "scan_model", "scan_models"]
