"""Learners may belong to a PostgreSQL login, for row-level security in a class database.

`learners.db_role` names the database role (login) that owns the learner's rows; the class
database's policies (kviz.classroom.roles) let a learner's connection see only the rows of
the learner whose db_role is `current_user`. NULL on a personal SQLite file.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("db_role", sa.String(63), nullable=True))
    op.create_index("ix_learners_db_role", "learners", ["db_role"])


def downgrade() -> None:
    op.drop_index("ix_learners_db_role", table_name="learners")
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("db_role")
