"""The first schema: stories and versions, the partnership register, crawl runs, feed state.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_table(
        "feed_state",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("archive_pages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_state")),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("local_name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("parent", sa.String(length=200), nullable=True),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("slug", name=op.f("uq_places_slug")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_country"), ["country"], unique=False)

    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_meta")),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        sa.UniqueConstraint("key", name=op.f("uq_stories_key")),
        sa.UniqueConstraint("site", "canonical_url", name=op.f("uq_stories_site")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stories_site"), ["site"], unique=False)

    op.create_table(
        "fetch_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("site", sa.String(length=64), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_fetch_errors_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_errors")),
    )
    with op.batch_alter_table("fetch_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetch_errors_run_id"), ["run_id"], unique=False)

    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=401), nullable=False),
        sa.Column("place_a_id", sa.String(length=200), nullable=False),
        sa.Column("place_b_id", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("began", sa.String(length=10), nullable=True),
        sa.Column("latest_event", sa.String(length=16), nullable=True),
        sa.Column("latest_event_date", sa.String(length=10), nullable=True),
        sa.Column("first_reported", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_reported", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_a_id"], ["places.id"], name=op.f("fk_partnerships_place_a_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["place_b_id"], ["places.id"], name=op.f("fk_partnerships_place_b_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint("key", name=op.f("uq_partnerships_key")),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnerships_place_a_id"), ["place_a_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partnerships_place_b_id"), ["place_b_id"], unique=False
        )

    op.create_table(
        "site_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("responses_by_status", sa.JSON(), nullable=False),
        sa.Column("stories_new", sa.Integer(), nullable=False),
        sa.Column("stories_changed", sa.Integer(), nullable=False),
        sa.Column("stories_unchanged", sa.Integer(), nullable=False),
        sa.Column("stories_error", sa.Integer(), nullable=False),
        sa.Column("partnerships_new", sa.Integer(), nullable=False),
        sa.Column("partnerships_changed", sa.Integer(), nullable=False),
        sa.Column("extraction", sa.JSON(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_site_runs_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_runs")),
        sa.UniqueConstraint("run_id", "site", name=op.f("uq_site_runs_run_id")),
    )
    with op.batch_alter_table("site_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_runs_site"), ["site"], unique=False)

    op.create_table(
        "story_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("raw_hash", sa.String(length=64), nullable=False),
        sa.Column("parser_version", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_source", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("byline", sa.Text(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("captions", sa.JSON(), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("extraction", sa.String(length=16), nullable=False),
        sa.Column("is_partnership_story", sa.Boolean(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("partnerships", sa.JSON(), nullable=False),
        sa.Column("network_sizes", sa.JSON(), nullable=False),
        sa.Column("event_keys", sa.JSON(), nullable=False),
        sa.Column("duplicate_of", sa.String(length=300), nullable=True),
        sa.Column("duplicate_kind", sa.String(length=16), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_story_versions_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_versions_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_versions")),
        sa.UniqueConstraint("story_id", "version", name=op.f("uq_story_versions_story_id")),
    )
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_versions_story_id"), ["story_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_date", sa.String(length=10), nullable=True),
        sa.Column("anchor_date", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_events_partnership_id_partnerships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "network_sizes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(length=200), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("cities", sa.Integer(), nullable=True),
        sa.Column("countries", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.String(length=10), nullable=True),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_network_sizes_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["story_versions.id"],
            name=op.f("fk_network_sizes_version_id_story_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_sizes")),
    )
    with op.batch_alter_table("network_sizes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_sizes_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_sizes_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "raw_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body_gz", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["story_versions.id"],
            name=op.f("fk_raw_pages_version_id_story_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_pages")),
        sa.UniqueConstraint("version_id", "position", name=op.f("uq_raw_pages_version_id")),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=420), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=True),
        sa.Column("old_value", sa.String(length=32), nullable=True),
        sa.Column("new_value", sa.String(length=32), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_changes_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_changes_partnership_id_partnerships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("key", name=op.f("uq_changes_key")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_changes_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("well_supported", sa.Boolean(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_claims_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_claims_partnership_id_partnerships"),
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_claims_story_id_stories")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["story_versions.id"], name=op.f("fk_claims_version_id_story_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claims_partnership_active", ["partnership_id", "active"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claims_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_version_id"), ["version_id"], unique=False)

    op.create_table(
        "change_evidence",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_change_evidence_change_id_changes")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["story_versions.id"],
            name=op.f("fk_change_evidence_version_id_story_versions"),
        ),
        sa.PrimaryKeyConstraint("change_id", "version_id", name=op.f("pk_change_evidence")),
    )
    op.create_table(
        "feed_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_feed_outbox_change_id_changes")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["story_versions.id"],
            name=op.f("fk_feed_outbox_version_id_story_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_outbox")),
    )


def downgrade() -> None:
    op.drop_table("feed_outbox")
    op.drop_table("change_evidence")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_version_id"))
        batch_op.drop_index(batch_op.f("ix_claims_story_id"))
        batch_op.drop_index("ix_claims_partnership_active")

    op.drop_table("claims")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_partnership_id"))

    op.drop_table("changes")
    op.drop_table("raw_pages")
    with op.batch_alter_table("network_sizes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_sizes_version_id"))
        batch_op.drop_index(batch_op.f("ix_network_sizes_place_id"))

    op.drop_table("network_sizes")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_partnership_id"))

    op.drop_table("events")
    with op.batch_alter_table("story_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_versions_story_id"))

    op.drop_table("story_versions")
    with op.batch_alter_table("site_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_runs_site"))

    op.drop_table("site_runs")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnerships_place_b_id"))
        batch_op.drop_index(batch_op.f("ix_partnerships_place_a_id"))

    op.drop_table("partnerships")
    with op.batch_alter_table("fetch_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_errors_run_id"))

    op.drop_table("fetch_errors")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_site"))

    op.drop_table("stories")
    op.drop_table("store_meta")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_country"))

    op.drop_table("places")
    op.drop_table("feed_state")
    op.drop_table("crawl_runs")
