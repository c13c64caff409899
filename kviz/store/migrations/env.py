"""Alembic environment, run only programmatically by kviz.store.database (no alembic.ini).

The caller passes an open connection in `config.attributes["connection"]`.
"""

from alembic import context

from kviz.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kviz.store.database.open_database")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
