"""A paged list's links: the query string of the list as shown, with a change (another page, sort or
filter), and the page count; templates/_pager.html draws the count line and the page links."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Paging:
    """The list at `path` as shown: its query `values` (filters, sort, `page`) and how many rows match."""

    path: str
    values: Mapping[str, Any]
    total: int
    size: int

    @property
    def page(self) -> int:
        return int(self.values["page"])

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    def query(self, **change: Any) -> str:
        """The query string with `change` applied; empty values are left out."""
        values = {**self.values, **change}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})
