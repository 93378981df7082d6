"""Alembic environment of the moderation store: runs online against the engine `database.upgrade` hands over."""

from alembic import context

connectable = context.config.attributes["engine"]
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
