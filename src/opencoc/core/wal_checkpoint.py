"""SQLite's write-ahead log, copied into the database file mostly by a thread of its own.

A commit that takes the log past 1,000 pages (SQLite's `wal_autocheckpoint`) checkpoints it on the
committing connection: it copies the log's pages into the database file and syncs that to disk,
and the next write starts the log again from its beginning. Done by the writer alone, that is
tens of milliseconds on a real disk, which every write queued behind it on the group-commit thread
(core/group_commit.py) waits, an incident create among them. This thread runs a PASSIVE checkpoint
every CHECKPOINT_EVERY_S on a connection of its own, copying and syncing while the writer goes on,
so the writer's checkpoint finds little left to do. The writer keeps its own: one beside a busy
writer never catches up with it, and the log, never started again, grew to 133 MB under
bench/orders.py (4.6 MB with the writer's). There, group commits over 30 ms went from 43-49 per
run to 29-30 (p99 32 -> 26 ms).
"""

import logging
import sqlite3
import threading

from sqlalchemy import Engine

CHECKPOINT_EVERY_S = 0.25

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
