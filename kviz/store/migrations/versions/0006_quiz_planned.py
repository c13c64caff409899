"""Quiz sessions remember how many questions were planned.

With `quiz_sessions.planned`, a quiz left after 1 of 10 questions reads "left early, 1 of 10
answered" instead of looking like a finished 1/1 (100%). NULL on sessions made before it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_sessions") as batch:
        batch.add_column(sa.Column("planned", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_sessions") as batch:
        batch.drop_column("planned")
