"""Attempts keep what the learner saw; attempts, quizzes and lab runs get stable ids.

What was shown (the prompt with its drawn numbers, the choices in display order, the drawn
values and the expected answer) lets a learner's history be read back exactly, even after
the bank changes. The stable `uid` (a UUID string) lets records be copied to a class
database more than once without duplicates. Older attempts keep NULL in the shown columns
and stay readable; their uids are filled in here.

Revision ID: 0004
Revises: 0003
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UID_TABLES = ("quiz_sessions", "attempts", "lab_runs")


def _fill_uids(table: str) -> None:
    t = sa.table(table, sa.column("id", sa.Integer), sa.column("uid", sa.String))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.select(t.c.id).where(t.c.uid.is_(None)))]
    for row_id in ids:
        bind.execute(sa.update(t).where(t.c.id == row_id).values(uid=str(uuid.uuid4())))


def upgrade() -> None:
    for table in UID_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("uid", sa.String(36), nullable=True))
        _fill_uids(table)
        with op.batch_alter_table(table) as batch:
            batch.alter_column("uid", existing_type=sa.String(36), nullable=False)
            batch.create_unique_constraint(f"uq_{table}_uid", ["uid"])
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("prompt", sa.Text, nullable=True))
        batch.add_column(sa.Column("choices", sa.JSON, nullable=True))
        batch.add_column(sa.Column("drawn_values", sa.JSON, nullable=True))
        batch.add_column(sa.Column("expected", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        for column in ("expected", "drawn_values", "choices", "prompt"):
            batch.drop_column(column)
    for table in UID_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_uid", type_="unique")
            batch.drop_column("uid")
