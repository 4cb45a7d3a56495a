"""Robustness of PDQ matching to common edits, on the benign corpus.

Run: .venv/bin/python -m benchmarks.bench_robustness
Banks half the corpus, derives edited copies of the banked photos, and reports
recall per edit at threshold 31 (plain PDQ, and with the 8 dihedral variants of
the query), plus false matches of the unbanked half against the bank. Related
designs (gnome light/dark pairs, one mate design at three sizes) are counted
apart: they are the same picture, not a false match.
"""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from benchmarks.common import CORPUS, corpus_photos, machine
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.demo.transforms import TRANSFORMS, apply
from bulwark.match.matcher import Matcher
from bulwark.signals import FileContent, hash_content, hash_path
from bulwark.store.db import Database


def design_groups() -> dict[str, str]:
    """File -> design id, so related designs are not called false matches."""
    groups: dict[str, str] = {}
    with (CORPUS / "MANIFEST.csv").open() as f:
        for row in csv.DictReader(f):
            stem = Path(row["original_path"]).stem
            for suffix in ("-l", "-d", "_3840x2160", "_5640x3172", "-Dark", "-Light"):
                stem = stem.removesuffix(suffix)
            stem = stem.removeprefix("MATE-")
            if stem.startswith("Ubuntu-Mate-") and stem.endswith("-no-logo"):
                stem = "Ubuntu-Mate-no-logo"  # one artwork in four colourways
            groups[row["file"]] = stem
    return groups


def main() -> None:
    import tempfile

    photos = corpus_photos()
    banked, others = photos[::2], photos[1::2]
    groups = design_groups()
    with tempfile.TemporaryDirectory() as d:
        store = BankStore(Database(f"sqlite:///{d}/b.db"))
        store.create("bench")
        entries = []
        for p in banked:
            entries += [
                NewEntry(s.type, s.value, p.name) for s in hash_path(p).signals if s.type == "pdq"
            ]
        store.add_entries("bench", entries)
        matcher = Matcher(store, Path(d) / "index")

        table = Table(title=f"Recall at PDQ distance 31, {len(banked)} banked photos ({machine()})")
        for c in ("edit", "plain PDQ", "with dihedral query"):
            table.add_column(c)
        for name in track(list(TRANSFORMS), description="edits"):
            plain = dihedral = 0
            for p in banked:
                data = apply(name, p.read_bytes())
                plain += matcher.match(hash_content(FileContent(data))).matched
                dihedral += matcher.match(hash_content(FileContent(data), dihedral=True)).matched
            n = len(banked)
            table.add_row(
                name,
                f"{plain}/{n} ({100 * plain / n:.0f}%)",
                f"{dihedral}/{n} ({100 * dihedral / n:.0f}%)",
            )
        false, related = 0, 0
        bank_groups = {groups.get(p.name) for p in banked}
        for p in others:
            r = matcher.match(hash_path(p, dihedral=True))
            if r.matched:
                if groups.get(p.name) in bank_groups:
                    related += 1
                else:
                    false += 1
        console = Console(width=120)
        console.print(table)
        console.print(
            f"unbanked half ({len(others)} photos): {false} false matches; "
            f"{related} matches to a related design (light/dark or resized variant)"
        )


if __name__ == "__main__":
    main()
