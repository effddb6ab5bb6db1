"""candidate.via_url: the aggregator entry or discovery post an article was found through

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("via_url", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("via_url")
