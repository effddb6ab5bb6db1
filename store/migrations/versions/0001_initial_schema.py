"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 08:24:53.260959
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stream', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('original_url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('publisher', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('published_is_fallback', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('entities', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('raw_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_publisher'), ['publisher'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_stream'), ['stream'], unique=False)

    op.create_table('cluster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sa.Enum('LEAD', 'WATCHED', 'PROMOTED', 'VERIFIED', 'REJECTED', name='queuestate'), nullable=False),
    sa.Column('independent_count', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('first_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('promoted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('aiid_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_state'), ['state'], unique=False)

    op.create_table('incident_sequence',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('raw_blob',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('reviewer_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('other_cluster_id', sa.Integer(), nullable=True),
    sa.Column('candidate_ids', sa.JSON(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reviewer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reviewer_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_decision_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewer_decision_kind'), ['kind'], unique=False)

    op.create_table('source_state',
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stream', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cursor', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('last_modified', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('next_check_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('last_error_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('source_id')
    )
    with op.batch_alter_table('source_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_state_stream'), ['stream'], unique=False)

    op.create_table('cluster_member',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ),
    sa.PrimaryKeyConstraint('candidate_id')
    )
    with op.batch_alter_table('cluster_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_member_cluster_id'), ['cluster_id'], unique=False)

    op.create_table('incident',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('incident_date', sa.Date(), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('model_vendor', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('model_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('deployer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('jurisdiction', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('piss_population', sa.Float(), nullable=False),
    sa.Column('piss_harm', sa.Float(), nullable=False),
    sa.Column('piss_detection', sa.Float(), nullable=False),
    sa.Column('piss_response', sa.Float(), nullable=False),
    sa.Column('piss_composite', sa.Float(), nullable=False),
    sa.Column('piss_band', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detection_mechanism', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lesson', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('mitigation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recommendation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detection_gap', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('aiid_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('notable', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('errata', sa.JSON(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cluster_id')
    )
    op.create_table('raw_payload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stream', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('final_url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('redirects', sa.JSON(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['raw_blob.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'sha256')
    )
    with op.batch_alter_table('raw_payload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raw_payload_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_raw_payload_stream'), ['stream'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('raw_payload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_payload_stream'))
        batch_op.drop_index(batch_op.f('ix_raw_payload_source_id'))

    op.drop_table('raw_payload')
    op.drop_table('incident')
    with op.batch_alter_table('cluster_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_member_cluster_id'))

    op.drop_table('cluster_member')
    with op.batch_alter_table('source_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_state_stream'))

    op.drop_table('source_state')
    with op.batch_alter_table('reviewer_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_decision_kind'))
        batch_op.drop_index(batch_op.f('ix_reviewer_decision_cluster_id'))

    op.drop_table('reviewer_decision')
    op.drop_table('raw_blob')
    op.drop_table('incident_sequence')
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_state'))
        batch_op.drop_index(batch_op.f('ix_cluster_last_seen_at'))

    op.drop_table('cluster')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_stream'))
        batch_op.drop_index(batch_op.f('ix_candidate_publisher'))
        batch_op.drop_index(batch_op.f('ix_candidate_fingerprint'))

    op.drop_table('candidate')
