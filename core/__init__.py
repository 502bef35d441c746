"""The vocabulary every layer speaks: passages and case studies, text, tokens, the embedder, errors. Imports nothing of ours."""
