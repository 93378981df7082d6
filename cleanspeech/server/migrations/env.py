"""Alembic environment of the feedback store: runs online against the engine `store.upgrade` hands over."""

from alembic import context

connectable = context.config.attributes["engine"]
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
