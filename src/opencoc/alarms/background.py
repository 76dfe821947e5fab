"""The alarms domain's server-lifetime task: the group-commit writer of the webhooks."""

from fastapi import FastAPI

from opencoc.alarms.writer import AlarmWriter


async def run(app: FastAPI) -> None:
    writer = AlarmWriter(app.state.db)
    app.state.alarm_writer = writer
    await writer.run()
