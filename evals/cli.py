"""`localities eval` and `localities eval-compare`, registered on the main CLI."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main CLI."""
