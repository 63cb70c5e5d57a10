"""Persistence: SQLAlchemy 2 tables, Alembic migrations, engine set-up."""
