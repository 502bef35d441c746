"""The embedded backend: an index directory of builds (FAISS + bm25s + JSON) swapped in through a symlink."""
