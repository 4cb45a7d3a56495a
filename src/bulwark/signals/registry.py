"""Find signal types by name, including ones other packages register.

Third-party signal types are declared as Python entry points in the group
``bulwark.signal_types`` so a platform can add its own without forking.
"""

from __future__ import annotations

from functools import cache

from bulwark.errors import SignalError
from bulwark.plugins import load_plugins
from bulwark.signals.base import SignalType
from bulwark.signals.md5 import MD5Signal
from bulwark.signals.model_hashes import (
    ModelA1111Signal,
    ModelAutoV2Signal,
    ModelAutoV3Signal,
    ModelSHA256Signal,
)
from bulwark.signals.pdq import PDQSignal
from bulwark.signals.sha1 import SHA1Signal
from bulwark.signals.sha256 import SHA256Signal
from bulwark.signals.text_embedding import TextEmbeddingSignal
from bulwark.signals.text_exact import TextExactSignal
from bulwark.signals.text_tlsh import TextTLSHSignal
from bulwark.signals.vpdq import VPDQSignal

ENTRY_POINT_GROUP = "bulwark.signal_types"
BUILTIN: tuple[type[SignalType], ...] = (
    MD5Signal,
    SHA1Signal,
    SHA256Signal,
    PDQSignal,
    VPDQSignal,
    TextExactSignal,
    TextTLSHSignal,
    TextEmbeddingSignal,
    ModelSHA256Signal,
    ModelAutoV2Signal,
    ModelAutoV3Signal,
    ModelA1111Signal,
)


@cache
def all_signal_types() -> dict[str, type[SignalType]]:
    return load_plugins(ENTRY_POINT_GROUP, SignalType, BUILTIN)


@cache
def _by_any_name() -> dict[str, type[SignalType]]:
    table: dict[str, type[SignalType]] = {}
    for cls in all_signal_types().values():
        for n in (cls.name, cls.threatexchange_name, *cls.aliases):
            table.setdefault(n.lower(), cls)
    return table


def get_signal_type(name: str) -> type[SignalType]:
    """Look a type up by our name, threatexchange's name or an alias."""
    cls = _by_any_name().get(name.strip().lower())
    if cls is None:
        known = ", ".join(sorted(all_signal_types()))
        raise SignalError(f"unknown signal type {name!r} (known: {known})")
    return cls
