"""Initial schema: learners, quiz sessions, attempts, review state, lab runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learners"),
        sa.UniqueConstraint("name", name="uq_learners_name"),
    )
    op.create_index("ix_learners_last_used_at", "learners", ["last_used_at"])
    op.create_table(
        "quiz_sessions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_sessions"),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name="fk_quiz_sessions_learner_id_learners",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_quiz_sessions_learner_started", "quiz_sessions", ["learner_id", "started_at"]
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("quiz_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("answer_given", sa.Text, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("answered_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quiz_sessions.id"],
            name="fk_attempts_quiz_id_quiz_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_attempts_quiz", "attempts", ["quiz_id"])
    op.create_table(
        "review_states",
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("due", sa.DateTime, nullable=False),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "question_id", name="pk_review_states"),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name="fk_review_states_learner_id_learners",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_review_states_learner_due", "review_states", ["learner_id", "due"])
    op.create_table(
        "lab_runs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lab_runs"),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name="fk_lab_runs_learner_id_learners",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_lab_runs_created_at", "lab_runs", ["created_at"])


def downgrade() -> None:
    for table in ("lab_runs", "review_states", "attempts", "quiz_sessions", "learners"):
        op.drop_table(table)
