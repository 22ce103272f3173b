"""What a refused request must leave as it was: every product table's rows, as one digest.

Cheap enough to check after every request: SQLite's `PRAGMA data_version`, read on a connection
of our own, moves only when another connection commits, so the rows are read again only then.
"""
from __future__ import annotations

import hashlib

from chronos.db import connect

# Stamped on a caller's requests, refused or not, not product data: a student's last activity
# (models/people.touch_active) and an API token's last use (models/creators.creator_for_token).
VOLATILE = {("students", "last_active_at"), ("api_tokens", "last_used_at")}


class StoredData:
    """Tells whether the stored data changed since it last looked."""

    def __init__(self, services):
        self.services = services
        self.watch = connect(services.db.path)
        self.version = self._version()
        self.digest = self._digest()

    def _version(self) -> int:
        return self.watch.execute("PRAGMA data_version").fetchone()[0]

    def tables(self) -> list[str]:
        """The product's tables: not SQLite's own, not virtual tables (FTS, vectors) or their shadows,
        whose content follows the tables they index."""
        rows = self.watch.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
        return sorted(name for name, _ in rows if not name.startswith("sqlite_") and name not in virtual
                      and not any(name.startswith(v + "_") for v in virtual))

    def _digest(self) -> dict[str, str]:
        """Each table's digest, of its rows in any order."""
        digests = {}
        for table in self.tables():
            columns = [c[1] for c in self.watch.execute(f"PRAGMA table_info({table})")
                       if (table, c[1]) not in VOLATILE]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = sorted(repr(tuple(r)) for r in self.watch.execute(f'SELECT {listed} FROM "{table}"'))
            digest = hashlib.sha256(f"{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode("utf-8", "surrogatepass") + b"\n")
            digests[table] = digest.hexdigest()
        return digests

    def changed(self) -> list[str]:
        """The tables whose rows changed since the last call (deferred writes applied first)."""
        self.services.writer.flush()
        version = self._version()
        if version == self.version:
            return []
        self.version = version
        digests, before = self._digest(), self.digest
        self.digest = digests
        return sorted(t for t in digests.keys() | before.keys() if digests.get(t) != before.get(t))

    def close(self) -> None:
        self.watch.close()
