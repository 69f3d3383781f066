"""README.md opens with the two commands, and .ci/run runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_the_demo_and_the_test_command() -> None:
    demo, tests = _readme_commands()
    assert demo == "python3 -m pip install --quiet uv && python3 -m uv run huican demo"
    assert tests == "python3 -m pip install --quiet uv && python3 -m uv run pytest"


def test_ci_runs_the_readme_test_command_on_sqlite_and_postgresql() -> None:
    test_command = _readme_commands()[1].split("&&")[-1].strip()
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in lines  # SQLite
    assert f'DATABASE_URL="$POSTGRES_URL" {test_command}' in lines
    assert "set -euo pipefail" in lines
    assert "export CI=true" in lines


def test_uv_never_downloads_a_python() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["uv"]["python-downloads"] == "never"
    assert config["project"]["scripts"]["huican"] == "huican.cli:main"


def test_readme_names_every_command_of_the_cli() -> None:
    """`huican worker` among them: the demo and serve start one, operators may run their own."""
    from huican.cli import HANDLERS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in HANDLERS if f"`{name}" not in text and f"huican {name}" not in text]
    assert missing == []


def test_readme_shows_how_to_choose_another_port_where_it_names_8000() -> None:
    """A newcomer whose port 8000 is taken finds `--port` next to the address (issue 13)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = text[: text.index("```sh")]
    assert "127.0.0.1:8000" in paragraph
    assert "huican demo --port 8001" in paragraph
