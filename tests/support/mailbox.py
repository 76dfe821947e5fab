"""Mail received by a real local SMTP server (aiosmtpd), for the notification tests."""

import asyncio
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope

from harness.polling import wait_for


class _Controller(Controller):
    """aiosmtpd's controller, keeping each connection's session so that the mailbox can close them: a
    connection still open when its loop stopped was never closed, and its ResourceWarning surfaced
    in whichever test ran when the socket was collected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        smtp: SMTP = super().factory()
        self.sessions.append(smtp)
        return smtp

    async def close_connections(self) -> None:
        for smtp in self.sessions:
            if smtp.transport is not None:
                smtp.transport.close()
        for _ in range(2):  # each closed transport's connection_lost (which closes its socket) runs on a later turn
            await asyncio.sleep(0)


class Mailbox:
    """Mail received by a real local SMTP server (aiosmtpd)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []
        self._controller: _Controller | None = None

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or b""))
        return "250 OK"

    def start(self) -> "Mailbox":
        self._controller = _Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            asyncio.run_coroutine_threadsafe(self._controller.close_connections(), self._controller.loop).result(10)
            self._controller.stop()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        """The messages once `count` have arrived (fails after `timeout` seconds)."""
        wait_for(
            lambda: len(self.messages) >= count,
            f"{count} mails",
            timeout,
            every=0.05,
            detail=lambda: f"got {len(self.messages)}",
        )
        return self.messages
