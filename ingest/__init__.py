"""Ingest: parse corpus documents into attributed passages and build the search index."""
