"""Retry queue: pages a crawl could not get, fetched again first by the next crawls.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retry_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_try", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retry_queue")),
        sa.UniqueConstraint("site", "url", name=op.f("uq_retry_queue_site")),
    )
    with op.batch_alter_table("retry_queue", schema=None) as batch_op:
        batch_op.create_index("ix_retry_queue_due", ["site", "next_try"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retry_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_retry_queue_due")
    op.drop_table("retry_queue")
