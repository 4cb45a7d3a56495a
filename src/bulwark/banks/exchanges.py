"""Fetch signals from hash-sharing programmes through python-threatexchange.

We reuse threatexchange's SignalExchangeAPI implementations (NCMEC, StopNCII,
ThreatExchange, Tech Against Terrorism, local file, static sample) rather than
writing clients ourselves. Credentials come from the environment variables
threatexchange already reads (e.g. ``TX_NCMEC_CREDENTIALS``).
"""

from __future__ import annotations

import dataclasses
import typing as t
from typing import Any

from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.errors import BankError
from bulwark.signals.registry import get_signal_type


def _exchange_classes() -> dict[str, Any]:
    from threatexchange.exchanges.impl.fb_threatexchange_api import (
        FBThreatExchangeSignalExchangeAPI,
    )
    from threatexchange.exchanges.impl.file_api import LocalFileSignalExchangeAPI
    from threatexchange.exchanges.impl.ncmec_api import NCMECSignalExchangeAPI
    from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI
    from threatexchange.exchanges.impl.stop_ncii_api import StopNCIISignalExchangeAPI

    return {
        "sample": StaticSampleSignalExchangeAPI,
        "file": LocalFileSignalExchangeAPI,
        "ncmec": NCMECSignalExchangeAPI,
        "stopncii": StopNCIISignalExchangeAPI,
        "fb_threatexchange": FBThreatExchangeSignalExchangeAPI,
    }


def _te_signal_types() -> list[Any]:
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal

    types: list[Any] = [PdqSignal, VideoMD5Signal]
    try:
        from threatexchange.extensions.vpdq.vpdq import VPDQSignal

        types.append(VPDQSignal)
    except ImportError:  # vpdq extension needs the optional vpdq package
        pass
    return types


def exchange_names() -> list[str]:
    return sorted(_exchange_classes())


def fetch_entries(exchange: str, collab: dict[str, Any]) -> list[NewEntry]:
    """Run a full fetch and turn its records into bank entries."""
    classes = _exchange_classes()
    if exchange not in classes:
        raise BankError(f"unknown exchange {exchange!r} (known: {', '.join(sorted(classes))})")
    api_cls = classes[exchange]
    cfg_cls = api_cls.get_config_cls()
    params = {"name": collab.get("name", exchange), **collab}
    if "api" in {f.name for f in dataclasses.fields(cfg_cls) if f.init}:
        params.setdefault("api", api_cls.get_name())
    params.setdefault("enabled", True)
    try:
        cfg = cfg_cls(**params)
        api = api_cls.for_collab(cfg)
        te_types = _te_signal_types()
        state: dict[Any, Any] = {}
        for delta in api.fetch_iter(te_types, None):
            api_cls.naive_fetch_merge(state, delta.updates)
        by_type = api_cls.naive_convert_to_signal_type(te_types, cfg, state)
    except BankError:
        raise
    except Exception as exc:  # threatexchange raises many types; report, don't crash
        raise BankError(f"fetch from {exchange} failed: {type(exc).__name__}: {exc}") from exc
    out: list[NewEntry] = []
    for te_type, signals in by_type.items():
        ours = get_signal_type(te_type.get_name()).name
        for value, meta in t.cast(dict[str, Any], signals).items():
            out.append(
                NewEntry(
                    ours,
                    value,
                    source=f"exchange:{exchange}/{cfg.name}",
                    metadata={"exchange": exchange, "opinion": str(meta)},
                )
            )
    return out


def fetch_into_bank(
    store: BankStore, bank_name: str, exchange: str, collab: dict[str, Any]
) -> tuple[int, int]:
    entries = fetch_entries(exchange, collab)
    return store.add_entries(bank_name, entries, source_name=f"exchange {exchange}")
