"""The alarms domain's server-lifetime task: the group-commit writer of the webhooks."""

from fastapi import FastAPI


async def run(app: FastAPI) -> None:
    await app.state.alarm_writer.run()
