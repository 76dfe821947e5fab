"""Apprise URLs: parsing, masking, redaction, and sending one notification.

Two forms are stored: an Apprise URL (`mailtos://user:pass@smtp.example.com`, `slack://T/B/C`),
and an address (`mailto:bob@example.com`), which a channel delivers to. A channel's URL may hold
`{targets}`, replaced by its recipients' addresses joined with `/`; an e-mail channel without it
gets them as `to=`.
"""

import logging
import re
import warnings
from functools import cache
from types import ModuleType
from typing import Any
from urllib.parse import quote

from opencoc.notifications import egress
from opencoc.notifications.allowlist import Policy

MASK = "****"
EMAIL_SCHEMES = ("mailto", "mailtos")
_WORDS = re.compile(r"[^:/@?&=#\[\],]+")


class DeliveryError(Exception):
    """Apprise could not deliver; the message says why, with the URL's secrets masked."""


@cache
def _apprise() -> ModuleType:
    """Apprise with its plugins loaded, imported on first use (slow to import; the CLI rarely needs it)."""
    import apprise
    from apprise.manager_plugins import NotificationManager

    with warnings.catch_warnings():  # some plugins import `imghdr`, deprecated since Python 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        # apprise's plugin manager is unannotated
        NotificationManager().load_modules()  # type: ignore[no-untyped-call]
    return apprise


def scheme(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else ""


def is_address(url: str) -> bool:
    """`mailto:someone@example.com` (no `//`): an address, not a service URL."""
    return scheme(url) == "mailto" and not url[len("mailto:") :].startswith("//")


def address_of(url: str) -> str:
    return url[len("mailto:") :]


def valid_address(url: str) -> bool:
    return bool(_apprise().utils.parse.is_email(address_of(url)))


def plugin(url: str) -> Any | None:
    """The Apprise service object for a URL (its `{targets}` filled with a placeholder), or None."""
    apprise = _apprise()
    with apprise.LogCapture(level=logging.CRITICAL):  # an invalid URL is the caller's answer, not a log line
        return apprise.Apprise.instantiate(url.replace("{targets}", "x"))


def hosts(service: Any) -> list[str]:
    """The hosts a service object connects to (its URL's host; an e-mail service's SMTP server)."""
    found = [getattr(service, "host", None), getattr(service, "smtp_host", None)]
    return list(dict.fromkeys(h for h in found if isinstance(h, str) and h))


def masked(url: str) -> str:
    """The URL as Apprise shows it privately (passwords and tokens masked); addresses as they are."""
    if is_address(url):
        return url
    service = plugin(url)
    return str(service.url(privacy=True)) if service is not None else f"{scheme(url)}://{MASK}"


def redact(text: str, url: str) -> str:
    """`text` with every part of `url` that its masked form hides replaced by ****."""
    shown = masked(url)
    secret = sorted({w for w in _WORDS.findall(url) if len(w) >= 3 and w not in shown}, key=len, reverse=True)
    text = text.replace(url, shown)
    for word in secret:
        text = text.replace(word, MASK)
    return text


def with_addresses(url: str, addresses: list[str]) -> str:
    """The channel URL with the recipients' addresses put where its service expects them."""
    quoted = [quote(a, safe="@+") for a in addresses]
    if "{targets}" in url:
        return url.replace("{targets}", "/".join(quoted))
    if scheme(url) in EMAIL_SCHEMES and addresses:
        return f"{url}{'&' if '?' in url else '?'}to={','.join(quoted)}"
    return url


def deliver(url: str, title: str, body: str, policy: Policy) -> None:
    """Send one notification now (blocking, on this thread); DeliveryError, redacted, when it fails."""
    apprise = _apprise()
    sender = apprise.Apprise()
    with egress.checked(policy) as check, apprise.LogCapture(level=logging.WARNING) as captured:
        if not sender.add(url):
            raise DeliveryError("the URL is not a valid Apprise URL")
        delivered = sender.notify(title=title, body=body)
    if not delivered:
        why = check.refusal or captured.getvalue().strip()[-1000:] or "Apprise reported a failure"
        raise DeliveryError(redact(why, url))
