"""The send-time half of the allow-list: every address a send resolves is checked.

Apprise connects through many libraries (smtplib, requests, its plugins' own clients), and a
URL's host can be re-pointed between the check at creation and the connection. All of them
resolve through `socket.getaddrinfo`, so that is where the check sits: inside `checked(policy)`
a resolution that yields a refused address raises instead of returning it. The policy travels
in a context variable, which Apprise copies into the worker threads it sends from; code outside
`checked` (other requests, other threads) resolves as before.
"""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from opencoc.notifications.allowlist import Policy, address_refusal


@dataclass
class Check:
    """The policy of one send, and why a connection was refused (written by whichever thread resolved)."""

    policy: Policy
    refusal: str | None = None


_current: ContextVar[Check | None] = ContextVar("opencoc_notify_egress", default=None)
_resolve = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    infos = _resolve(host, *args, **kwargs)
    check = _current.get()
    if check is None or host is None:
        return infos
    name = host.decode() if isinstance(host, bytes) else str(host)
    reason = address_refusal(check.policy, name, [str(info[4][0]) for info in infos])
    if reason is not None:
        check.refusal = reason
        raise OSError(reason)
    return infos


@contextmanager
def checked(policy: Policy) -> Iterator[Check]:
    """Refuse connections to internal addresses made for this send; `.refusal` says why one was."""
    socket.getaddrinfo = _guarded_getaddrinfo  # idempotent; inert outside `checked`
    check = Check(policy)
    token = _current.set(check)
    try:
        yield check
    finally:
        _current.reset(token)
