"""The send-time half of the allow-list: every address a sender thread resolves is checked.

Apprise connects through many libraries (smtplib, requests, its plugins' own clients), and a
URL's host can be re-pointed between the check at creation and the connection. All of them
resolve through `socket.getaddrinfo`, so that is where the check sits: inside `checked(policy)`
(on the current thread only) a resolution that yields a refused address raises instead of
returning it. Other threads resolve as before.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opencoc.notifications.allowlist import Policy, address_refusal

_local = threading.local()
_resolve = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    infos = _resolve(host, *args, **kwargs)
    policy: Policy | None = getattr(_local, "policy", None)
    if policy is None or host is None:
        return infos
    name = host.decode() if isinstance(host, bytes) else str(host)
    reason = address_refusal(policy, name, [str(info[4][0]) for info in infos])
    if reason is not None:
        _local.refusal = reason
        raise OSError(reason)
    return infos


@contextmanager
def checked(policy: Policy) -> Iterator[None]:
    """Refuse connections to internal addresses from this thread while inside (see `refusal()`)."""
    socket.getaddrinfo = _guarded_getaddrinfo  # idempotent; inert outside `checked`
    _local.policy, _local.refusal = policy, None
    try:
        yield
    finally:
        _local.policy = None


def refusal() -> str | None:
    """Why the last connection inside `checked` on this thread was refused, if one was."""
    return getattr(_local, "refusal", None)
