"""SIGTERM (from `timeout`, a CI runner, kill) as SystemExit, so a benchmark's finally blocks stop the server,
the simulated fleets and the throwaway PostgreSQL it started instead of leaving them running."""

import signal
import sys
from types import FrameType


def _exit(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)


def exit_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, _exit)
