"""Files uploaded to the API (the web page's batch and queue files), within the size limit."""

from __future__ import annotations

from fastapi import HTTPException, UploadFile, status

from models.errors import bilingual
from models.settings import Settings


async def read_upload(upload: UploadFile, settings: Settings) -> bytes:
    """The upload's bytes; 413 when it is over ``COURTVAL_UPLOAD_LIMIT_MB``."""
    limit = int(settings.upload_limit_mb * 1_000_000)
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            bilingual(
                f"文件超过 {settings.upload_limit_mb:g} MB",
                f"the file is over {settings.upload_limit_mb:g} MB",
            ),
        )
    return content
