"""Attempts carry their learner (copied from the quiz session) and indexes for fast stats.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATS_INDEXES = {
    "ix_attempts_learner_topic": ["learner_id", "topic", "id", "correct"],
    "ix_attempts_learner_correct": ["learner_id", "correct", "id"],
    "ix_attempts_learner_time": ["learner_id", "answered_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("learner_id", sa.Integer, nullable=True))
    op.execute(
        "UPDATE attempts SET learner_id = "
        "(SELECT learner_id FROM quiz_sessions WHERE quiz_sessions.id = attempts.quiz_id)"
    )
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("learner_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key(
            "fk_attempts_learner_id_learners",
            "learners",
            ["learner_id"],
            ["id"],
            ondelete="CASCADE",
        )
    for name, columns in STATS_INDEXES.items():
        op.create_index(name, "attempts", columns)


def downgrade() -> None:
    for name in STATS_INDEXES:
        op.drop_index(name, table_name="attempts")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_constraint("fk_attempts_learner_id_learners", type_="foreignkey")
        batch.drop_column("learner_id")
