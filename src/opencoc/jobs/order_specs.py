"""What an order's tasks run (script type, content, parameters, user, timeout), kept in memory per process.

These columns never change once an order is made, so every claim after an order's first reads them
here instead of the database (one statement fewer in each hand-out). Parameter values stay as
stored: sensitive ones are decrypted per task (tasks.py), never here.
"""

import threading
from typing import Any, cast

from cachetools import LRUCache
from sqlalchemy import Row, Table, bindparam, select
from sqlalchemy.orm import Session

from opencoc.jobs.models import ScriptOrder

MAX_KEPT = 1024  # orders; each entry holds one script's content (the scripts' own limit bounds it)

_O = cast(Table, ScriptOrder.__table__)
_SPECS = select(_O.c.id, _O.c.script_type, _O.c.content, _O.c.params, _O.c.execute_user, _O.c.timeout).where(
    _O.c.id.in_(bindparam("ids", expanding=True))
)


class OrderSpecs:
    def __init__(self) -> None:
        self._kept: LRUCache[int, Row[Any]] = LRUCache(maxsize=MAX_KEPT)
        self._lock = threading.Lock()  # claims run on database threads

    def get(self, session: Session, order_ids: set[int]) -> dict[int, Row[Any]]:
        """The specs of these orders, by id, reading only those not kept yet."""
        with self._lock:
            found = {i: self._kept[i] for i in order_ids if i in self._kept}
        missing = sorted(order_ids - found.keys())
        if missing:
            rows = {row.id: row for row in session.execute(_SPECS, {"ids": missing})}
            with self._lock:
                self._kept.update(rows)
            found.update(rows)
        return found
