"""audit log chain

Revision ID: 0003
Revises: 0002
The audit log's entries are sealed in a hash chain (``seq``, ``chain``; see
``notforsale.store.audit``); inserts that would replace an entry are refused on SQLite
(REPLACE INTO, INSERT OR REPLACE), TRUNCATE is refused on PostgreSQL, and the one update
allowed is an entry's first seal. Entries written before are sealed now, in id order.

Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SEALING_ONLY = ("OLD.chain IS NOT NULL OR NEW.chain IS NULL OR NEW.id IS NOT OLD.id OR "
                 "NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT "
                 "OLD.action OR NEW.subject IS NOT OLD.subject OR NEW.detail IS NOT OLD.detail")

_SQLITE = [
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN " + _SEALING_ONLY +
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    # REPLACE deletes the old row without firing delete triggers (recursive triggers are
    # off by default): refuse the insert itself when the id is taken.
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log WHEN EXISTS "
    "(SELECT 1 FROM audit_log WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP = 'UPDATE' THEN "
    "IF NOT (" + _SEALING_ONLY.replace("IS NOT", "IS DISTINCT FROM").replace(
        "NEW.detail IS DISTINCT FROM OLD.detail", "NEW.detail::text IS DISTINCT FROM "
        "OLD.detail::text") + ") THEN RETURN NEW; END IF; END IF; "
    "RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_log_seq", "audit_log", ["seq"], unique=True)
    op.create_index("ix_audit_log_unsealed", "audit_log", ["id"],
                    sqlite_where=sa.text("chain IS NULL"),
                    postgresql_where=sa.text("chain IS NULL"))
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(dialect, []):
        op.execute(statement)
    from notforsale.store.audit import seal

    seal(op.get_bind())


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.drop_index("ix_audit_log_unsealed", table_name="audit_log")
    op.drop_index("ix_audit_log_seq", table_name="audit_log")
