"""Alembic environment: runs on the connection the caller passes, or on the configured URL."""

from alembic import context
from sqlalchemy import Connection, create_engine

from opencoc.models_registry import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url", ""))
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()  # closes the pooled connection now, not when the garbage collector finds it
