"""Persistence: SQLModel tables, queries, Alembic migrations, the evidence file store and policy data."""
