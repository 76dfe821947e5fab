"""SQLite's write-ahead log copied into the database file by a thread of its own, not by the writer.

By default the connection whose commit takes the log past 1,000 pages runs the checkpoint itself:
it copies the log into the database file and syncs it to disk, tens of milliseconds on a real
disk (up to 148 ms under bench/orders.py), and every write queued behind it on the group-commit
thread (core/group_commit.py), an incident create among them, waits that long. The server's write
connections therefore never checkpoint (`PRAGMA wal_autocheckpoint=0`, core/db.py); this thread
runs a PASSIVE checkpoint every CHECKPOINT_EVERY_S on a connection of its own, which copies what
no reader still needs while writers go on appending. Once the log is wholly copied, the next
writer starts it again from its beginning, so it stays as large as one interval's writes.
"""

import logging
import sqlite3
import threading

from sqlalchemy import Engine

CHECKPOINT_EVERY_S = 1.0

log = logging.getLogger("opencoc.db")


class WalCheckpointer:
    def __init__(self, engine: Engine, every_s: float = CHECKPOINT_EVERY_S) -> None:
        self.engine = engine
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(target=self._loop, name="db-wal-checkpoint", daemon=True)
                    self._thread.start()

    def stop(self) -> None:
        """Stop the thread (after the checkpoint under way, if any) and return its connection."""
        with self._start_lock:
            self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        conn = self.engine.raw_connection()
        try:
            while not self._stop.wait(self.every_s):
                try:
                    cursor = conn.cursor()
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cursor.close()
                except sqlite3.Error as exc:  # another process's checkpoint under way: the next round
                    log.debug("WAL checkpoint skipped: %s", exc)
        finally:
            conn.close()
