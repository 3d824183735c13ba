"""Feeds: each feed's newest entries kept for index.html; a covering index for story feeds.

``feed_state.latest`` holds what index.html lists of a feed, filled when the feed is built, so the
index no longer re-reads every feed's history. ``ix_story_versions_feed`` lets the story feeds
pick and count their versions from the index alone instead of reading every version row.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latest", sa.JSON(), nullable=True))
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_story_versions_feed",
            ["story_id", "is_partnership_story", "cause", "duplicate_of"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_story_versions_feed")
    with op.batch_alter_table("feed_state", schema=None) as batch_op:
        batch_op.drop_column("latest")
