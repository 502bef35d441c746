"""The docs kept honest: every setting is in the README's table, every package README names its modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_WITH_README = sorted(p.parent.name for p in ROOT.glob("*/README.md") if (p.parent / "__init__.py").exists())


def _settings_table(readme: str) -> str:
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_table(field: str) -> None:
    table = _settings_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert f"`LOCALITIES_{field.upper()}`" in table, f"LOCALITIES_{field.upper()} is missing from README.md's settings table"


def test_the_packages_with_a_readme_are_the_layers_and_the_ui() -> None:
    assert {"core", "stores", "ingest", "assistant", "ui"} <= set(PACKAGES_WITH_README)


@pytest.mark.parametrize("package", PACKAGES_WITH_README)
def test_every_package_readme_names_each_of_its_modules(package: str) -> None:
    folder = ROOT / package
    readme = (folder / "README.md").read_text(encoding="utf-8")
    modules = [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*.py")) if p.name != "__init__.py"]
    unnamed = [m for m in modules if not re.search(rf"(?<![\w/]){re.escape(m)}(?!\w)", readme)]
    assert not unnamed, f"{package}/README.md does not name: {', '.join(unnamed)}"
