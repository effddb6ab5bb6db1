"""what matching keeps between runs: each placed candidate's features, each cluster's summed
features, rare-term postings, decayed document frequencies, and an index on a stream's latest
candidates

The tables start empty: the first matching run after the upgrade fills them from the clustered
candidates (store.match_index.index_stored), since features are computed by the dedup package,
which migrations must not depend on.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_features",
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidate.id"), primary_key=True),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=False),
        sa.Column("block", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
    )
    op.create_table(
        "match_cluster",
        sa.Column("cluster_id", sa.Integer(), sa.ForeignKey("cluster.id"), primary_key=True),
        sa.Column("total", sa.JSON(), nullable=False),
        sa.Column("block", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
    )
    op.create_table(
        "match_posting",
        sa.Column("term", sa.String(), primary_key=True),
        sa.Column("seen", sa.BigInteger(), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidate.id"), primary_key=True),
    )
    op.create_table(
        "match_term",
        sa.Column("term", sa.String(), primary_key=True),
        sa.Column("frequency", sa.Float(), nullable=False),
        sa.Column("familiarity", sa.Float(), nullable=False),
        sa.Column("counted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "match_corpus",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("size", sa.Float(), nullable=False),
        sa.Column("counted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_candidate_stream_id", "candidate", ["stream", "id"])


def downgrade() -> None:
    op.drop_index("ix_candidate_stream_id", table_name="candidate")
    for table in ("match_corpus", "match_term", "match_posting", "match_cluster", "match_features"):
        op.drop_table(table)
