"""The assistant's errors; each edge (API, CLI, UI) translates them once."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message is meant for a person."""


class IndexNotBuilt(AssistantError):
    """No usable index at the configured path."""


class IndexCorrupt(AssistantError):
    """Index files exist but cannot be read or disagree with each other."""


class UnknownFilter(AssistantError):
    """A chapter or case-study filter that names nothing in the index."""

    def __init__(self, field: str, value: str, valid: list[str]) -> None:
        self.field, self.value, self.valid = field, value, valid
        super().__init__(f"Unknown {field} '{value}'. Valid values: {', '.join(valid)}")


class NotFound(AssistantError):
    """A case study or passage id that does not exist."""


class InvalidSettings(AssistantError):
    """A LOCALITIES_* setting has a value that cannot work; the message names it and says what would."""
