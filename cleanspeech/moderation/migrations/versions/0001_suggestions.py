"""The suggestions table: human scores sent to comments:suggestscore.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment_text", sa.Text, nullable=False),
        sa.Column("attribute_scores", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("context", sa.JSON),
        sa.Column("client_token", sa.Text),
        sa.Column("session_id", sa.Text),
        sa.Column("community_id", sa.Text),
        sa.Column("model_version", sa.Text, nullable=False),
    )
    op.create_index("ix_suggestions_community_id", "suggestions", ["community_id"])


def downgrade() -> None:
    op.drop_table("suggestions")
