"""Turn content into fingerprints; one file per signal type."""

from bulwark.signals.base import FileContent, Signal, SignalType
from bulwark.signals.hashing import FileHashes, hash_content, hash_path
from bulwark.signals.registry import all_signal_types, get_signal_type

__all__ = [
    "FileContent",
    "FileHashes",
    "Signal",
    "SignalType",
    "all_signal_types",
    "get_signal_type",
    "hash_content",
    "hash_path",
]
