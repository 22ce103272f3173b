"""`chronos backup`: one tar file with a consistent copy of the database, the media and settings."""
from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from chronos import __version__
from chronos.backup.manifest import (DATA_PREFIX, DATABASE, MANIFEST_NAME, SECRET_FILES, BackupError,
                                     FileEntry, Manifest)
from chronos.config import Settings
from chronos.db import connect
from chronos.models import meta
from chronos.timefmt import iso_utc

Progress = Callable[[int, int], None]  # (bytes copied so far, bytes in all)


@dataclass
class BackupReport:
    path: Path
    size_bytes: int
    database_bytes: int
    schema_version: int
    media_files: int
    media_bytes: int
    secret_files: list[str]
    skipped: list[str] = field(default_factory=list)  # media deleted while the backup ran


def create_backup(settings: Settings, dest: Path | str | None = None, *,
                  progress: Progress | None = None) -> BackupReport:
    """Write one archive of the data folder; safe while `chronos serve` is running and writing.

    dest is a folder (a timestamped name is chosen) or a file path; default: the data folder's
    backups/. Model weights, logs and earlier backups are left out: they are rebuilt or not data.
    """
    if not settings.db_path.is_file():
        raise BackupError(f"There is no Chronos database in {settings.data_dir}, so nothing to back up. "
                          "Check --data-dir.")
    archive = _archive_path(Path(dest) if dest else settings.backups_dir)
    partial = archive.with_name(archive.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(prefix=".chronos-backup-", dir=archive.parent) as tmp:
            db_copy = Path(tmp) / DATABASE
            schema = _snapshot_database(settings.db_path, db_copy)
            # The database first: every file its rows name existed when it was copied (media files
            # are written before the row that names them, and never changed afterwards).
            files = [(DATABASE, db_copy), *_media_files(settings),
                     *((name, settings.data_dir / name) for name in SECRET_FILES
                       if (settings.data_dir / name).is_file())]
            manifest = Manifest(chronos_version=__version__, schema_version=schema,
                                created_at=iso_utc(),
                                source_data_dir=str(settings.data_dir))
            skipped = _write_archive(partial, files, manifest, progress)
        os.replace(partial, archive)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    media = [f for f in manifest.files if f.path.startswith("media/")]
    return BackupReport(path=archive, size_bytes=archive.stat().st_size,
                        database_bytes=next(f.size for f in manifest.files if f.path == DATABASE),
                        schema_version=schema, media_files=len(media),
                        media_bytes=sum(f.size for f in media),
                        secret_files=[f.path for f in manifest.files if f.path in SECRET_FILES],
                        skipped=skipped)


def _archive_path(dest: Path) -> Path:
    """A new file: dest itself, or a timestamped name inside dest when it is a folder."""
    if dest.is_dir() or str(dest).endswith(os.sep) or not dest.suffix:
        dest.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        folder, dest, n = dest, dest / f"chronos-backup-{stamp}.tar", 1
        while dest.exists():  # two backups within one second
            n += 1
            dest = folder / f"chronos-backup-{stamp}-{n}.tar"
    elif dest.exists():
        raise BackupError(f"{dest} already exists. Choose another --output; "
                          "a backup never overwrites a file.")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist. Create it or choose another --output.")
    return dest


def _snapshot_database(db_path: Path, copy: Path) -> int:
    """Copy the live database with SQLite's online backup; return its schema version.

    One backup step (pages=-1) reads the whole file inside one read transaction: in WAL mode that
    does not block the server's writers, and the copy is the database as of one instant.
    """
    source, target = connect(db_path), connect(copy)
    try:
        source.backup(target)
        meta.make_self_contained(target)
        problems = meta.integrity_problems(target)
        if problems:
            raise BackupError(f"The database {db_path} fails SQLite's integrity check "
                              f"({'; '.join(problems[:3])}). It needs repair before it can be backed up.")
        return meta.schema_version(target)
    finally:
        source.close()
        target.close()


def _media_files(settings: Settings) -> list[tuple[str, Path]]:
    """Every finished media file (uploads still arriving, *.part and .incoming/, are left out)."""
    found = []
    for folder, dirs, names in os.walk(settings.media_dir):
        dirs[:] = sorted(d for d in dirs if Path(folder, d) != settings.upload_tmp_dir)
        for name in sorted(names):
            path = Path(folder, name)
            if not name.endswith(".part") and path.is_file() and not path.is_symlink():
                found.append((path.relative_to(settings.data_dir).as_posix(), path))
    return found


def _write_archive(partial: Path, files: list[tuple[str, Path]], manifest: Manifest,
                   progress: Progress | None) -> list[str]:
    """Stream the files into a new tar, the manifest last; return the files that vanished meanwhile."""
    total = sum(_size(path) for _, path in files)
    done = 0

    def count(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    skipped = []
    # Readable by the owner only: it holds the API keys and password hashes.
    new_file = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(new_file, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, path in files:
            try:
                fh = open(path, "rb")
            except FileNotFoundError:  # deleted by the running server after the listing
                skipped.append(rel)
                continue
            with fh:
                info = tarfile.TarInfo(DATA_PREFIX + rel)
                stat = os.fstat(fh.fileno())
                info.size, info.mtime, info.mode = stat.st_size, stat.st_mtime, 0o600
                reader = _HashingReader(fh, count)
                tar.addfile(info, reader)
                manifest.files.append(FileEntry(rel, info.size, reader.hexdigest()))
        raw_manifest = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mtime, info.mode = len(raw_manifest), int(datetime.now().timestamp()), 0o600
        tar.addfile(info, io.BytesIO(raw_manifest))
        raw.flush()
        os.fsync(raw.fileno())
    return skipped


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class _HashingReader:
    """A file wrapper that hashes and counts what tarfile reads through it."""

    def __init__(self, fh, on_bytes: Callable[[int], None]):
        self._fh, self._on_bytes = fh, on_bytes
        self._digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        piece = self._fh.read(n)
        self._digest.update(piece)
        self._on_bytes(len(piece))
        return piece

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
