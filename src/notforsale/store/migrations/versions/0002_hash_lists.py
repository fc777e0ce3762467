"""hash lists

Revision ID: 0002
Revises: 0001
Shared hash lists (trace): a list's name, case label and size, and one row per
PDQ hash of each entry (32 bytes, quality, kind). No pixels, no paths.

Create Date: 2026-12-01 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hash_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("case_label", sa.String(length=200), nullable=False),
        sa.Column("list_created", sa.String(length=40), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "hash_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.String(length=100), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("document", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["hash_list.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hash_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_entry_list_id"), ["list_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hash_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_entry_list_id"))
    op.drop_table("hash_entry")
    op.drop_table("hash_list")
