"""What the server commands print."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

Echo = Callable[[str], None]


def echo(line: str) -> None:
    print(line, flush=True)


def database_label() -> str:
    db = settings.DATABASES["default"]
    if str(db["ENGINE"]).endswith("sqlite3"):
        name = Path(str(db["NAME"]))
        try:
            return str(name.relative_to(Path.cwd()))
        except ValueError:
            return str(name)
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''}/{db.get('NAME')}"
