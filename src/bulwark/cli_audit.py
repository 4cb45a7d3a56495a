"""``bulwark audit`` and ``bulwark audit-synthetic``: dataset audits from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bulwark.audit.run import ENGINES, AuditConfig, check_banks, run_audit
from bulwark.audit.stages import AuditOptions
from bulwark.cli_support import console, fail
from bulwark.errors import BulwarkError
from bulwark.store.db import Database, home_dir


def audit(
    datasets: Annotated[
        list[Path],
        typer.Argument(help="Folders, .tar or .parquet shards, or LAION's embedding layout."),
    ],
    out: Annotated[Path, typer.Option(help="Where outputs and checkpoints go (rerun to resume).")],
    bank: Annotated[list[str] | None, typer.Option(help="Bank to match against (repeat).")] = None,
    embeddings: Annotated[
        Path | None, typer.Option(help="LAION-layout embedding shards for neighbour expansion.")
    ] = None,
    engine: Annotated[str, typer.Option(help=f"One of: {', '.join(ENGINES)}.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (engine ray).")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes (local) or Ray tasks at once.")
    ] = 2,
    pdq: Annotated[bool, typer.Option(help="Hash images with PDQ (fast mode).")] = True,
    captions: Annotated[
        bool, typer.Option(help="Check captions with the child-safety prompt policy.")
    ] = True,
    caption_general: Annotated[
        bool, typer.Option(help="Also the general text categories.")
    ] = False,
    nudity: Annotated[bool, typer.Option(help="Nudity score per image (NudeNet; slow).")] = False,
    provenance: Annotated[bool, typer.Option(help="AI-generation evidence per image.")] = False,
    k: Annotated[int, typer.Option(min=1, help="Neighbours per confirmed hit.")] = 10,
    depth: Annotated[int, typer.Option(min=1, help="Expansion rounds from new suspects.")] = 1,
    min_similarity: Annotated[
        float, typer.Option(help="Cosine similarity a neighbour needs.")
    ] = 0.8,
    hashes_with_urls: Annotated[bool, typer.Option(help="Put URLs in the hotline export.")] = False,
    fetch: Annotated[
        bool, typer.Option(help="Fetch rows that have only a URL (SSRF-safe, size/time-limited).")
    ] = False,
    fetch_rate: Annotated[
        float, typer.Option(help="Requests per second per host, per worker.")
    ] = 1.0,
) -> None:
    """Find known abuse (bank matches), its neighbours and unsafe captions in a
    dataset, without anyone viewing an image."""
    db = Database()
    banks = tuple(bank or ())
    try:
        check_banks(db, banks)
        opts = AuditOptions(
            banks=banks,
            db_url=db.url,
            index_dir=str(home_dir() / "index"),
            pdq=pdq,
            captions=captions,
            caption_general=caption_general,
            nudity=nudity,
            provenance=provenance,
            fetch=fetch,
            fetch_per_host_per_second=fetch_rate,
        )
        cfg = AuditConfig(
            datasets=datasets,
            out=out,
            opts=opts,
            engine=engine,
            address=address,
            workers=workers,
            embeddings=embeddings,
            k=k,
            depth=depth,
            min_similarity=min_similarity,
            hashes_with_urls=hashes_with_urls,
        )
        s = run_audit(cfg)
    except BulwarkError as exc:
        raise fail(exc, 2) from exc
    console.print(
        f"{s['samples']:,} samples in {s['shards']} shard(s) ({s['shards_resumed']} resumed): "
        f"{s['removal']} to remove, {s['suspects']} suspect(s) for validation, "
        f"{s['problems']} problem(s); report: {out / 'report.html'}"
    )


def audit_synthetic(
    out: Path,
    photos: Annotated[
        Path | None, typer.Option(help="Folder of benign photos (default: the demo photos).")
    ] = None,
    shards: int = 4,
    per_shard: int = 50,
    known: int = 3,
    side: int = 512,
    dims: int = 64,
) -> None:
    """Build a synthetic WebDataset + LAION-layout dataset from benign photos."""
    from bulwark.audit.synthetic import make_synthetic
    from bulwark.demo import demo_photos

    paths = sorted(photos.glob("*.jpg")) if photos else demo_photos()
    syn = make_synthetic(
        out, paths, shards=shards, per_shard=per_shard, known=known, side=side, dims=dims
    )
    console.print(
        f"{shards} shard(s) of {per_shard} in {out}; {len(syn.planted)} planted copies of "
        f"{len(syn.known)} known photos; {len(syn.neighbours)} planted neighbours"
    )


def triage_command(
    folder: Path,
    out: Annotated[Path, typer.Option(help="Where the ranking and report go.")],
    bank: Annotated[list[str] | None, typer.Option(help="Bank to match against (repeat).")] = None,
    nudity: Annotated[
        bool, typer.Option(help="Score nudity (NudeNet) to rank suspected files.")
    ] = False,
    thumbnails: Annotated[
        bool, typer.Option(help="Blurred greyscale thumbnails in the report.")
    ] = False,
) -> None:
    """Rank a seized or reported folder (archives opened safely) by the triage
    order, counting the files no human needs to view."""
    from bulwark.audit.triage import TriageOptions, triage

    db = Database()
    banks = tuple(bank or ())
    try:
        check_banks(db, banks)
        s = triage(
            folder,
            out,
            TriageOptions(
                banks=banks,
                db_url=db.url,
                index_dir=str(home_dir() / "index"),
                nudity=nudity,
                thumbnails=thumbnails,
            ),
        )
    except BulwarkError as exc:
        raise fail(exc, 2) from exc
    console.print(
        f"{s['needed_no_human_view']} of {s['media_files']} media files needed no human view; "
        f"{s['problems']} problem(s); report: {out / 'report.html'}"
    )


__all__ = ["audit", "audit_synthetic", "triage_command"]
