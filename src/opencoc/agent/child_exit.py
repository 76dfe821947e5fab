"""Waiting on the event loop for a task's process to exit, without a thread per process."""

import asyncio
import os
import subprocess


async def exit_code(proc: "subprocess.Popen[bytes]") -> int:
    """Wait until `proc` has exited and collect its status: through a pidfd on the event loop (Linux 5.3+),
    else on a thread."""
    try:
        fd = os.pidfd_open(proc.pid)
    except OSError:  # an older kernel, or already collected
        return await asyncio.to_thread(proc.wait)
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()

    def readable() -> None:  # it stays readable until removed: called again before that is harmless
        if not exited.done():
            exited.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await exited
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    return proc.wait()
