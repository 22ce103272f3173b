"""Who is using a data folder: the server holds a shared lock, a restore needs it exclusively."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; files a process has open cannot be renamed or replaced
    fcntl = None     # there, so a restore over a running Chronos fails at the swap instead

LOCK_FILE = "chronos.lock"
_SHM_DMS_BYTE = 128  # UNIX_SHM_DMS in SQLite's os_unix.c: (22 + 8) * 4 + 8


class DataFolderBusy(RuntimeError):
    """Another Chronos process (a server, a restore) is using the data folder."""


@contextmanager
def using_data_folder(data_dir: Path) -> Iterator[None]:
    """Mark the data folder as in use for the block (many users may share it; a restore may not).

    The lock is the kernel's (flock), so a process killed with SIGKILL releases it too.
    """
    with _lock(data_dir, "shared") as fh:
        if fh is None:
            raise DataFolderBusy(f"{data_dir} is being restored right now. Wait for the restore to "
                                 "finish, then start Chronos again.")
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")  # for people reading the folder; the lock is what counts
        fh.flush()
        yield


@contextmanager
def exclusive_data_folder(data_dir: Path) -> Iterator[None]:
    """Hold the data folder alone for the block, or raise DataFolderBusy if anyone uses it."""
    if not data_dir.is_dir():
        yield
        return
    with _lock(data_dir, "exclusive") as fh:
        if fh is None or database_in_use(data_dir / "chronos.db"):
            who = f"process {_holder(data_dir)}" if fh is None else "a process has its database open"
            raise DataFolderBusy(
                f"Chronos is running on {data_dir} ({who}). "
                "Stop `chronos serve` (Ctrl+C) and any other chronos command using it, then restore.")
        yield


def database_in_use(db_path: Path) -> bool:
    """Whether any other process has this WAL-mode SQLite database open right now.

    Every open connection holds a shared POSIX lock on one byte of the -shm file (SQLite's
    "dead man switch", offset 128) until it closes, so failing to lock that byte exclusively
    means someone is connected; a crashed process holds nothing. Closing our descriptor drops
    every POSIX lock this process has on the file, so this is only for databases this process
    has not opened (a restore never opens the one it replaces).
    """
    if fcntl is None:
        return False
    shm = db_path.with_name(db_path.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError:  # EAGAIN/EACCES: a connection holds its shared lock
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


@contextmanager
def _lock(data_dir: Path, kind: str):
    """Yield the open lock file with the lock taken, or None when another process holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+") as fh:
        if fcntl is None:
            yield fh
            return
        try:
            fcntl.flock(fh, (fcntl.LOCK_SH if kind == "shared" else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _holder(data_dir: Path) -> str:
    try:
        return (data_dir / LOCK_FILE).read_text().split()[0]
    except (OSError, IndexError):
        return "unknown"
