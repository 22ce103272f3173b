"""`chronos restore`: check a backup completely, then put it in place of the data folder."""
from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from chronos.backup.lock import exclusive_data_folder
from chronos.backup.manifest import (DATABASE, MANIFEST_NAME, SECRET_FILES, BackupError, Manifest,
                                     copy_hashing, safe_relative)
from chronos.config import Settings
from chronos.db import connect, migrate, transaction
from chronos.models import meta

Progress = Callable[[int, int], None]  # (archive bytes read so far, archive size)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL
# The earlier backups and the assembled model weights move into the restored folder with --force.
CARRIED_OVER = ("backups", "models")


@dataclass
class RestoreReport:
    data_dir: Path
    previous_data: Path | None  # where the data it replaced was kept (with --force)
    created_at: str
    chronos_version: str
    schema_from: int  # the backup's schema
    schema_to: int  # after migrations to this Chronos's schema
    files: int
    bytes: int
    secret_files: list[str]


def restore_backup(settings: Settings, archive: Path | str, *, force: bool = False,
                   progress: Progress | None = None) -> RestoreReport:
    """Restore a backup into settings.data_dir once every file in it has checked out.

    Refuses while Chronos uses the folder, and over existing data unless force; with force the
    existing data is renamed to <folder>.before-restore-<time>, never deleted. Until the final
    rename nothing in the data folder is touched, so a bad archive leaves it as it was.
    """
    archive, target = Path(archive).expanduser().resolve(), settings.data_dir
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    if target.exists() and not target.is_dir():
        raise BackupError(f"{target} is a file, not a data folder. Choose another --data-dir.")
    with exclusive_data_folder(target):
        _refuse_existing_data(target, force)
        staging = target.parent / f".{target.name}.restoring-{_stamp()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        try:
            manifest = _extract_verified(archive, staging, progress)
            schema_to = _prepare_database(staging / DATABASE, manifest)
            previous = _put_in_place(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(data_dir=target, previous_data=previous, created_at=manifest.created_at,
                         chronos_version=manifest.chronos_version, schema_from=manifest.schema_version,
                         schema_to=schema_to, files=len(manifest.files),
                         bytes=sum(f.size for f in manifest.files),
                         secret_files=[f.path for f in manifest.files if f.path in SECRET_FILES])


def holds_data(data_dir: Path) -> bool:
    """Whether a data folder has anything worth keeping (a first start leaves only empty folders)."""
    media = data_dir / "media"
    return ((data_dir / DATABASE).exists() or (data_dir / "settings.toml").exists()
            or (media.is_dir() and any(p.is_file() for p in media.rglob("*"))))


def _refuse_existing_data(target: Path, force: bool) -> None:
    if not force and target.is_dir() and holds_data(target):
        raise BackupError(f"{target} already holds Chronos data. Restore into an empty folder with "
                          "--data-dir, or add --force to replace it (the current data is kept aside "
                          f"as {target.name}.before-restore-<time>, not deleted).")


def _extract_verified(archive: Path, into: Path, progress: Progress | None) -> Manifest:
    """Unpack the archive into a staging folder and check it against its manifest."""
    total, done = archive.stat().st_size, 0

    def count(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    found: dict[str, tuple[int, str]] = {}
    raw_manifest = None
    damaged = f"{archive} is damaged or is not a Chronos backup"
    # Every refusal below happens before the data folder is touched.
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                if member.name == MANIFEST_NAME and member.isfile():
                    raw_manifest = tar.extractfile(member).read()
                    continue
                rel = safe_relative(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or rel in found:
                    raise BackupError(f"{damaged}: unexpected entry {member.name!r}. Nothing was restored.")
                dest = into / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                mode = 0o600 if rel in SECRET_FILES else 0o644
                with tar.extractfile(member) as src, open(os.open(dest, _NEW_FILE, mode), "wb") as out:
                    found[rel] = copy_hashing(src, out, count)
    except (tarfile.TarError, EOFError, FileExistsError, NotADirectoryError) as exc:
        raise BackupError(f"{damaged} ({exc}). Nothing was restored.") from exc
    if raw_manifest is None:
        raise BackupError(f"{damaged}: it has no manifest, so it is incomplete (cut short while it "
                          "was written or copied?). Nothing was restored.")
    manifest = Manifest.from_json(raw_manifest)
    listed = {f.path: (f.size, f.sha256) for f in manifest.files}
    wrong = sorted(p for p in listed.keys() & found.keys() if listed[p] != found[p])
    missing, extra = sorted(listed.keys() - found.keys()), sorted(found.keys() - listed.keys())
    for problem, names in (("fail their checksum", wrong), ("are missing", missing),
                           ("are not in the manifest", extra)):
        if names:
            raise BackupError(f"{damaged}: {len(names)} file(s) {problem} ({', '.join(names[:3])}). "
                              "Nothing was restored.")
    if DATABASE not in listed:
        raise BackupError(f"{damaged}: it holds no database. Nothing was restored.")
    return manifest


def _prepare_database(path: Path, manifest: Manifest) -> int:
    """Check the restored database and bring it to this Chronos's schema; return that version."""
    known = meta.known_schema_version()
    if manifest.schema_version > known:
        raise BackupError(f"This backup comes from a newer Chronos ({manifest.chronos_version}, database "
                          f"schema {manifest.schema_version}; this one knows up to {known}). "
                          "Upgrade Chronos, then restore. Nothing was restored.")
    conn = connect(path)
    try:
        problems = meta.integrity_problems(conn)
        if problems or meta.schema_version(conn) != manifest.schema_version:
            reason = "; ".join(problems[:3]) or "its schema differs from the manifest"
            raise BackupError(f"The database in the backup is damaged ({reason}). Nothing was restored.")
        with transaction(conn):
            meta.clear_scheduled_jobs(conn)
        migrate(conn)  # an older backup is upgraded here, exactly as a start would
        return meta.schema_version(conn)
    finally:
        conn.close()


def _put_in_place(staging: Path, target: Path) -> Path | None:
    """Move the checked data into the data folder; return where any previous data now is."""
    if not target.exists():
        os.replace(staging, target)
        return None
    if not holds_data(target):  # only what a first start creates: fill it in place
        for stale in (f"{DATABASE}-wal", f"{DATABASE}-shm"):
            (target / stale).unlink(missing_ok=True)
        for entry in list(staging.iterdir()):
            dest = target / entry.name
            if dest.is_dir():
                shutil.rmtree(dest)  # empty folders only: holds_data found no files
            os.replace(entry, dest)
        return None
    aside = target.with_name(f"{target.name}.before-restore-{_stamp()}")
    os.replace(target, aside)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(aside, target)
        raise
    for kept in CARRIED_OVER:  # not part of any backup, so they stay with the folder
        if (aside / kept).is_dir():
            os.replace(aside / kept, target / kept)
    return aside


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
