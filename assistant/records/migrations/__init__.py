"""Alembic migrations of the records database (run by ``assistant.records.engine.upgrade``)."""
