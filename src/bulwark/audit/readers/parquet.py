"""Parquet shards in LAION's layout (``url``, ``caption``, ``similarity``,
``punsafe``, ``pwatermark``, optional ``md5``), optionally with image bytes.

Columns are checked before any row is read: a shard missing every column a
sample can be matched on, or with a column of the wrong type, is reported as
a whole (naming the columns) and the run goes on with the other shards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from bulwark.audit.sample import Problem, Sample, ShardRef

BYTES_COLUMNS = ("jpg", "image", "bytes", "data")
TEXT_COLUMNS = ("url", "caption", "md5", "key", "TEXT", "URL")
NUMBER_COLUMNS = ("similarity", "punsafe", "pwatermark")
BATCH = 4096


def check_schema(schema: pa.Schema) -> list[str]:
    """What is wrong with a shard's columns (empty: fine)."""
    problems = []
    names = set(schema.names)
    image = next((c for c in BYTES_COLUMNS if c in names), None)
    if image is None and not names & {"url", "URL", "md5"}:
        problems.append(
            "no column to match on: needs image bytes "
            f"({', '.join(BYTES_COLUMNS)}), url or md5; has {', '.join(sorted(names))}"
        )
    if image is not None:
        t = schema.field(image).type
        if not (pa.types.is_binary(t) or pa.types.is_large_binary(t)):
            problems.append(f"column {image!r} should hold bytes, holds {t}")
    for c in TEXT_COLUMNS:
        if c in names:
            t = schema.field(c).type
            if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)):
                problems.append(f"column {c!r} should hold text, holds {t}")
    for c in NUMBER_COLUMNS:
        if c in names and not (
            pa.types.is_floating(schema.field(c).type)
            or pa.types.is_integer(schema.field(c).type)
            or pa.types.is_null(schema.field(c).type)
        ):
            problems.append(f"column {c!r} should hold numbers, holds {schema.field(c).type}")
    return problems


def read_parquet(shard: ShardRef) -> Iterator[Sample | Problem]:
    try:
        f = pq.ParquetFile(shard.path)
    except (OSError, pa.ArrowException) as exc:
        yield Problem(shard.id, "", f"not a readable Parquet file: {exc}")
        return
    wrong = check_schema(f.schema_arrow)
    if wrong:
        yield Problem(shard.id, "", "; ".join(wrong))
        return
    names = set(f.schema_arrow.names)
    image = next((c for c in BYTES_COLUMNS if c in names), None)
    row = 0
    try:
        for batch in f.iter_batches(batch_size=BATCH):
            cols = batch.to_pydict()
            for i in range(batch.num_rows):
                key = cols["key"][i] if "key" in cols and cols["key"][i] else f"{row:09d}"
                row += 1
                url = cols.get("url", cols.get("URL", [None] * batch.num_rows))[i] or ""
                caption = cols.get("caption", cols.get("TEXT", [None] * batch.num_rows))[i] or ""
                meta = {c: cols[c][i] for c in NUMBER_COLUMNS if c in cols}
                data = cols[image][i] if image else None
                md5 = (cols["md5"][i] or "") if "md5" in cols else ""
                if data is None and not md5 and not url:
                    yield Problem(shard.id, str(key), "row has no image, md5 or url")
                    continue
                yield Sample(
                    str(key), shard.id, data, str(caption)[:10_000], str(url), md5.lower(), meta
                )
    except (OSError, pa.ArrowException) as exc:
        yield Problem(shard.id, f"row {row}", f"Parquet read failed here: {exc}")


__all__ = ["check_schema", "read_parquet"]
