"""Bank CRUD on top of the SQLAlchemy store.

Imports are all-or-nothing: every line is validated first and a single
malformed line aborts the whole import with the line numbers of all problems,
so a half-imported list never sits in a bank looking complete.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bulwark.banks.model import ROUTES, Bank, BankEntry, NewEntry
from bulwark.errors import BankError, BankImportError, SignalError
from bulwark.policy.taxonomy import check_category, check_ncmec_classification
from bulwark.signals.registry import get_signal_type
from bulwark.store.db import Database
from bulwark.store.models import BankEntryRow, BankRow, utcnow

DEFAULT_PDQ_THRESHOLD = 31
_INSERT_CHUNK = 5_000


def value_key(value: str) -> str:
    """Short unique key for a signal value (vPDQ values are long JSON lists)."""
    return value if len(value) <= 64 else hashlib.sha256(value.encode()).hexdigest()


def _bank(row: BankRow, count: int = 0) -> Bank:
    return Bank(
        id=row.id,
        name=row.name,
        description=row.description,
        category=row.category,
        ncmec_classification=row.ncmec_classification,
        tags=tuple(row.tags or ()),
        pdq_threshold=row.pdq_threshold,
        is_negative=row.is_negative,
        enabled=row.enabled,
        created_at=row.created_at,
        entry_count=count,
        augment_crops=bool(row.augment_crops),
        match_routes=tuple(row.match_routes or ROUTES),
    )


def _entry(row: BankEntryRow) -> BankEntry:
    return BankEntry(
        id=row.id,
        bank_id=row.bank_id,
        signal_type=row.signal_type,
        value=row.value,
        source=row.source,
        metadata=dict(row.metadata_ or {}),
        enabled=row.enabled,
        added_at=row.added_at,
    )


class BankStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- banks ---------------------------------------------------------------
    def create(
        self,
        name: str,
        *,
        description: str = "",
        category: str | None = None,
        ncmec_classification: str | None = None,
        tags: Sequence[str] = (),
        pdq_threshold: int = DEFAULT_PDQ_THRESHOLD,
        negative: bool = False,
        augment_crops: bool = False,
        routes: Sequence[str] = ROUTES,
    ) -> Bank:
        name = name.strip()
        unknown = [r for r in routes if r not in ROUTES]
        if unknown or not routes:
            raise BankError(
                f"match routes must be among {', '.join(ROUTES)}; got {', '.join(routes) or 'none'}"
            )
        if not name:
            raise BankError("a bank needs a name")
        if not 0 <= pdq_threshold <= 128:
            raise BankError(f"PDQ threshold must be between 0 and 128, got {pdq_threshold}")
        try:
            if category is not None:
                check_category(category)
            if ncmec_classification is not None:
                ncmec_classification = check_ncmec_classification(ncmec_classification)
        except ValueError as exc:
            raise BankError(str(exc)) from exc
        row = BankRow(
            name=name,
            description=description,
            category=category,
            ncmec_classification=ncmec_classification,
            tags=list(tags),
            pdq_threshold=pdq_threshold,
            is_negative=negative,
            enabled=True,
            augment_crops=augment_crops,
            match_routes=list(routes),
        )
        try:
            with self.db.session() as s:
                s.add(row)
                s.flush()
                return _bank(row)
        except IntegrityError as exc:
            raise BankError(f"a bank named {name!r} already exists") from exc

    def banks(self, *, counts: bool = True) -> list[Bank]:
        """Every bank; ``counts=False`` skips counting entries (a scan of every
        bank), for callers that only need the banks' settings."""
        with self.db.session() as s:
            sizes = (
                dict(
                    s.execute(
                        select(BankEntryRow.bank_id, func.count()).group_by(BankEntryRow.bank_id)
                    ).all()
                )
                if counts
                else {}
            )
            rows = s.scalars(select(BankRow).order_by(BankRow.name)).all()
            return [_bank(r, sizes.get(r.id, 0)) for r in rows]

    def get(self, name: str) -> Bank:
        with self.db.session() as s:
            row = s.scalar(select(BankRow).where(BankRow.name == name))
            if row is None:
                raise BankError(f"no bank named {name!r}")
            count = s.scalar(
                select(func.count()).select_from(BankEntryRow).where(BankEntryRow.bank_id == row.id)
            )
            return _bank(row, int(count or 0))

    def delete(self, name: str) -> None:
        bank = self.get(name)
        with self.db.session() as s:
            s.execute(delete(BankEntryRow).where(BankEntryRow.bank_id == bank.id))
            s.execute(delete(BankRow).where(BankRow.id == bank.id))

    def set_bank_enabled(self, name: str, enabled: bool) -> None:
        bank = self.get(name)
        with self.db.session() as s:
            s.execute(update(BankRow).where(BankRow.id == bank.id).values(enabled=enabled))

    # -- entries -------------------------------------------------------------
    @staticmethod
    def validate_entries(
        entries: Iterable[NewEntry], source_name: str
    ) -> list[tuple[NewEntry, str]]:
        """Canonicalise every entry or raise one error listing every bad line."""
        good: list[tuple[NewEntry, str]] = []
        problems: list[tuple[int, str]] = []
        for n, e in enumerate(entries, start=1):
            line = e.line or n
            try:
                st = get_signal_type(e.signal_type)
                value = st.validate(e.value)
            except SignalError as exc:
                problems.append((line, str(exc)))
                continue
            e.signal_type = st.name
            good.append((e, value))
        if problems:
            raise BankImportError(source_name, problems)
        return good

    def add_entries(
        self, bank_name: str, entries: Iterable[NewEntry], *, source_name: str = "input"
    ) -> tuple[int, int]:
        """Add entries atomically; returns ``(added, already_present)``."""
        bank = self.get(bank_name)
        good = self.validate_entries(entries, source_name)
        rows: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for e, value in good:
            key = (e.signal_type, value_key(value))
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "bank_id": bank.id,
                    "signal_type": e.signal_type,
                    "value_key": key[1],
                    "value": value,
                    "source": e.source[:500],
                    "metadata": e.metadata,
                }
            )
        with self.db.session() as s:
            before = int(
                s.scalar(
                    select(func.count())
                    .select_from(BankEntryRow)
                    .where(BankEntryRow.bank_id == bank.id)
                )
                or 0
            )
            dialect = s.get_bind().dialect.name
            ins = pg_insert if dialect == "postgresql" else sqlite_insert
            now = utcnow()
            for i in range(0, len(rows), _INSERT_CHUNK):
                chunk = [
                    {**r, "enabled": True, "added_at": now, "updated_at": now}
                    for r in rows[i : i + _INSERT_CHUNK]
                ]
                stmt = ins(cast(Table, BankEntryRow.__table__)).on_conflict_do_nothing(
                    index_elements=["bank_id", "signal_type", "value_key"]
                )
                s.execute(stmt, chunk)
            after = int(
                s.scalar(
                    select(func.count())
                    .select_from(BankEntryRow)
                    .where(BankEntryRow.bank_id == bank.id)
                )
                or 0
            )
        added = after - before
        return added, len(good) - added

    def add_signal(
        self,
        bank_name: str,
        signal_type: str,
        value: str,
        *,
        source: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> BankEntry:
        self.add_entries(bank_name, [NewEntry(signal_type, value, source, metadata or {})])
        st = get_signal_type(signal_type)
        found = self.find_entries(bank_name, st.name, st.validate(value))
        return found[0]

    def find_entries(self, bank_name: str, signal_type: str, value: str) -> list[BankEntry]:
        bank = self.get(bank_name)
        with self.db.session() as s:
            rows = s.scalars(
                select(BankEntryRow).where(
                    BankEntryRow.bank_id == bank.id,
                    BankEntryRow.signal_type == signal_type,
                    BankEntryRow.value_key == value_key(value),
                )
            ).all()
            return [_entry(r) for r in rows]

    def set_entry_enabled(self, entry_id: int, enabled: bool, reason: str | None = None) -> None:
        """Disable (false positive) or re-enable one entry without deleting it."""
        with self.db.session() as s:
            res = s.execute(
                update(BankEntryRow)
                .where(BankEntryRow.id == entry_id)
                .values(enabled=enabled, disabled_reason=None if enabled else reason)
            )
            if res.rowcount == 0:  # type: ignore[attr-defined]
                raise BankError(f"no bank entry with id {entry_id}")

    def get_entry(self, entry_id: int) -> BankEntry:
        with self.db.session() as s:
            row = s.get(BankEntryRow, entry_id)
            if row is None:
                raise BankError(f"no bank entry with id {entry_id}")
            return _entry(row)

    def iter_entries(
        self,
        bank_name: str | None = None,
        *,
        signal_type: str | None = None,
        after_id: int = 0,
        batch: int = 50_000,
    ) -> Iterator[BankEntry]:
        """Entries in id order, streamed in batches so large banks fit in memory."""
        bank_id = self.get(bank_name).id if bank_name else None
        last = after_id
        while True:
            with self.db.session() as s:
                q = select(BankEntryRow).where(BankEntryRow.id > last)
                if bank_id is not None:
                    q = q.where(BankEntryRow.bank_id == bank_id)
                if signal_type is not None:
                    q = q.where(BankEntryRow.signal_type == signal_type)
                rows = s.scalars(q.order_by(BankEntryRow.id).limit(batch)).all()
                out = [_entry(r) for r in rows]
            if not out:
                return
            yield from out
            last = out[-1].id

    def disabled_entry_ids(self) -> set[int]:
        with self.db.session() as s:
            # written as the partial index's own predicate, so the index is used
            return set(s.scalars(select(BankEntryRow.id).where(text("enabled = false"))))

    def max_entry_id(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.max(BankEntryRow.id))) or 0)
