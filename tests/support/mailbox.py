"""Mail received by a real local SMTP server (aiosmtpd), for the notification tests."""

from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from harness.polling import wait_for


class Mailbox:
    """Mail received by a real local SMTP server (aiosmtpd)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or b""))
        return "250 OK"

    def start(self) -> "Mailbox":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
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
