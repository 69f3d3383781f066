"""`huican synth` writes one file per import kind, deterministically."""

from __future__ import annotations

from pathlib import Path

from huican.cli import main
from huican.exchange.kinds import KINDS


def test_it_writes_every_kind_and_is_deterministic(tmp_path: Path, capsys) -> None:
    assert main(["synth", "--persons", "300", "--seed", "5", "--out", str(tmp_path / "a")]) == 0
    assert main(["synth", "--persons", "300", "--seed", "5", "--out", str(tmp_path / "b")]) == 0
    for kind in KINDS:
        first, second = tmp_path / "a" / f"{kind}.csv", tmp_path / "b" / f"{kind}.csv"
        assert first.read_bytes() == second.read_bytes()
    assert "registry" in capsys.readouterr().out


def test_bad_arguments_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["synth", "--persons", "0", "--seed", "5", "--out", str(tmp_path)]) == 2
    try:
        main(["synth", "--persons", "x", "--seed", "5", "--out", str(tmp_path)])
    except SystemExit as exc:
        assert exc.code == 2
