"""The backup archive's layout and its manifest: what is inside, with sizes and checksums."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

FORMAT = "chronos-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_PREFIX = "data/"  # every backed-up file sits under data/, by its path in the data folder
DATABASE = "chronos.db"
# Files that hold secrets (API keys, the session-signing key): included, and said so.
SECRET_FILES = ("settings.toml", "secret_key")
COPY_BYTES = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the data folder, with forward slashes
    size: int
    sha256: str


@dataclass
class Manifest:
    chronos_version: str
    schema_version: int
    created_at: str
    source_data_dir: str
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse a manifest, refusing anything that is not a backup this Chronos can read."""
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("This archive is not a Chronos backup (its manifest is of another kind).")
            if data["format_version"] > FORMAT_VERSION:
                raise BackupError(f"This backup was made by a newer Chronos ({data['chronos_version']}, "
                                  f"archive format {data['format_version']}). Upgrade Chronos, then restore.")
            files = [FileEntry(f["path"], int(f["size"]), f["sha256"]) for f in data["files"]]
            return cls(chronos_version=data["chronos_version"], schema_version=int(data["schema_version"]),
                       created_at=data["created_at"], source_data_dir=data["source_data_dir"], files=files,
                       format_version=data["format_version"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is unreadable ({exc}); "
                              "the archive is damaged.") from exc


def safe_relative(member_name: str) -> str:
    """The data-folder path of an archive member; refuses names that would escape the folder."""
    if not member_name.startswith(DATA_PREFIX):
        raise BackupError(f"Unexpected entry {member_name!r} in the archive; it is not a Chronos backup.")
    rel = PurePosixPath(member_name[len(DATA_PREFIX):])
    if rel.is_absolute() or not rel.parts or any(p in ("..", "") for p in rel.parts):
        raise BackupError(f"Unsafe path {member_name!r} in the archive; refusing to restore it.")
    return str(rel)


def copy_hashing(src: BinaryIO, dst: BinaryIO, on_bytes=None) -> tuple[int, str]:
    """Copy src to dst in 1 MB pieces; return the byte count and the SHA-256 of what was copied."""
    digest, size = hashlib.sha256(), 0
    while piece := src.read(COPY_BYTES):
        dst.write(piece)
        digest.update(piece)
        size += len(piece)
        if on_bytes:
            on_bytes(len(piece))
    return size, digest.hexdigest()
