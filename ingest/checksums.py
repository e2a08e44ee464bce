"""Content hashes of landed files: a file is identified by what it holds, not its name."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 8 * 1024 * 1024


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in chunks (files may be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def batch_id(source: str, file_hash: str) -> str:
    """Stable, readable batch id: '<source>:<first 12 hex of the content hash>'."""
    return f"{source}:{file_hash[:12]}"
