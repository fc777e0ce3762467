"""Storage: SQLAlchemy models, the database, migrations (Alembic) and the repository."""
