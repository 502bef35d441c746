"""The HTTP shell: a FastAPI app over one Assistant, one module per concern."""
