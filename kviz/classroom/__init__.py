"""Classroom mode: one PostgreSQL database for a class (roles, push, the teacher's report)."""
