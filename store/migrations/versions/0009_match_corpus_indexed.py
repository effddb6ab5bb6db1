"""match_corpus.indexed: whether the store's clustered candidates have all been indexed

A store upgraded to 0008 is indexed by a matching run a batch per transaction, so that a million
candidates never sit in one transaction and a run cut short resumes where it stopped; the flag says
when that is done. Stores at 0008 were indexed in one transaction: a row there means done.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_corpus") as batch:
        batch.add_column(sa.Column("indexed", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("match_corpus") as batch:
        batch.drop_column("indexed")
