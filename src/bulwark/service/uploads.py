"""Reading uploaded files with a size limit (the one place the API reads bytes)."""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from fastapi import HTTPException, UploadFile

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


async def read_upload(file: UploadFile, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The uploaded bytes, refused with 413 past the limit (read no further than it)
    and with 422 when empty."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"upload over the {limit:,}-byte limit")
    if not data:
        raise HTTPException(422, "empty upload")
    return data


__all__ = ["MAX_UPLOAD_BYTES", "read_upload"]
