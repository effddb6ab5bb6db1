"""candidate scope assessment (score, verdict, reasons) and the out-of-scope queue state

Stored hits are left "not assessed" (NULL), which never excludes anything: ``lpi reprocess`` assesses
them from the archive (dedup.scope, through normalization) and recounts their clusters. The
assessment is not computed here because migrations must not depend on the dedup package.

The new state is stored as "EXCLUDED": on SQLite the state is a VARCHAR(8) that needs no change
(recreating the cluster table would trip the foreign keys pointing at it); PostgreSQL's enum type
gains the value, and keeps it on downgrade (an enum value cannot be dropped).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("scope_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("in_scope", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("scope_reasons", sa.JSON(), nullable=False, server_default="[]"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE queuestate ADD VALUE IF NOT EXISTS 'EXCLUDED'")


def downgrade() -> None:
    # Parked clusters go back to where the count alone puts them (the next recount promotes those at two).
    op.execute("UPDATE cluster SET state = 'WATCHED' WHERE state = 'EXCLUDED' AND independent_count >= 1")
    op.execute("UPDATE cluster SET state = 'LEAD' WHERE state = 'EXCLUDED'")
    for column in ("scope_reasons", "in_scope", "scope_score"):  # not batched: a recreated table trips the foreign keys
        op.drop_column("candidate", column)
