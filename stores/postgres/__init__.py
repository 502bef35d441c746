"""The shared backend: one PostgreSQL database with pgvector, followed by every replica."""
