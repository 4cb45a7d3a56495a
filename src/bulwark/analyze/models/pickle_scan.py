"""Pickle checkpoints (.ckpt, .pt, .pth, .bin): scanned, never unpickled.

Loading a pickle runs whatever its ``GLOBAL``/``REDUCE`` opcodes name, so a
checkpoint can carry code. ``picklescan`` walks the opcodes (also inside the
zip archives torch writes) and lists the imports; the dangerous ones
(``os.system``, ``builtins.eval``, ``subprocess``...) are security findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from picklescan.scanner import SafetyLevel, scan_file_path


@dataclass(frozen=True)
class PickleImport:
    module: str
    name: str
    safety: str  # "dangerous", "suspicious" or "innocuous"


@dataclass(frozen=True)
class PickleScan:
    imports: list[PickleImport]
    scan_error: bool

    @property
    def dangerous(self) -> list[PickleImport]:
        return [i for i in self.imports if i.safety == "dangerous"]

    @property
    def suspicious(self) -> list[PickleImport]:
        return [i for i in self.imports if i.safety == "suspicious"]


def scan_pickle_file(path: Path) -> PickleScan:
    result = scan_file_path(str(path))
    imports = [
        PickleImport(
            g.module,
            g.name,
            {
                SafetyLevel.Dangerous: "dangerous",
                SafetyLevel.Suspicious: "suspicious",
            }.get(g.safety, "innocuous"),
        )
        for g in result.globals
    ]
    return PickleScan(imports, bool(result.scan_err))


__all__ = ["PickleImport", "PickleScan", "scan_pickle_file"]
