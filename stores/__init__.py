"""Where passages live: the interfaces retrieval reads and ingest writes, and one folder per backend."""
