"""`huican demo`: a synthetic Xinzhou loaded through the real import path, reused on a second run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest


def _args(**overrides: Any) -> argparse.Namespace:
    values = {"persons": 300, "seed": 7, "port": 0, "no_serve": True, **overrides}
    return argparse.Namespace(**values)


@pytest.mark.django_db
def test_demo_loads_a_synthetic_xinzhou_and_reuses_it(tmp_var: Path, capsys: Any) -> None:
    from huican.exchange.models import ImportBatch
    from huican.regions.models import Region
    from huican.registry.models import Person
    from huican.server.demo import IMPORT_ORDER, run_demo

    assert run_demo(_args()) == 0
    out = capsys.readouterr().out
    assert "创建演示数据库" in out
    assert "演示账号" in out

    persons = Person.objects.count()
    assert 250 <= persons <= 300  # about 1% malformed rows are rejected
    kinds = set(ImportBatch.objects.filter(status=ImportBatch.Status.DONE).values_list("kind", flat=True))
    assert kinds == set(IMPORT_ORDER)
    assert (tmp_var / "demo-data" / "registry.csv").is_file()
    assert not (tmp_var / "demo-data" / ".loading").exists()

    # every person rolls up to a county; the synthetic places below are visibly synthetic
    assert not Person.objects.filter(county_code="").exists()
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
    assert townships.exists()
    assert not townships.filter(synthetic=False).exists()
    assert all("虚拟" in name for name in townships.values_list("name", flat=True))
    assert Region.objects.filter(level=Region.Level.VILLAGE, parent__level=Region.Level.TOWNSHIP).exists()

    from huican.accounts.models import User

    assert User.objects.filter(role="city_staff").exists()

    batches = ImportBatch.objects.count()
    assert run_demo(_args(persons=500)) == 0
    out = capsys.readouterr().out
    assert "复用已有数据库" in out
    assert Person.objects.count() == persons
    assert ImportBatch.objects.count() == batches


@pytest.mark.django_db
def test_an_interrupted_load_is_resumed_not_reused(tmp_var: Path, capsys: Any) -> None:
    from huican.exchange.models import ImportBatch
    from huican.registry.models import Person
    from huican.server.demo import run_demo

    assert run_demo(_args(persons=120)) == 0
    persons = Person.objects.count()
    (tmp_var / "demo-data" / ".loading").write_text("{}")  # as if the first load had been cut short
    assert run_demo(_args(persons=120)) == 0
    assert "继续载入" in capsys.readouterr().out
    assert Person.objects.count() == persons  # imports are idempotent
    assert not ImportBatch.objects.filter(status=ImportBatch.Status.FAILED).exists()


@pytest.mark.django_db
def test_demo_refuses_a_nonsense_size(tmp_var: Path) -> None:
    from huican.cli import UsageError
    from huican.server.demo import run_demo

    with pytest.raises(UsageError):
        run_demo(_args(persons=0))


@pytest.mark.django_db
def test_demo_serves_with_a_worker_process_beside_it(tmp_var: Path, monkeypatch: Any) -> None:
    """One command runs everything: the web server and, beside it, the worker (stopped with it)."""
    from huican.server import demo, worker

    events: list[str] = []

    class FakeWorker:
        def start(self) -> FakeWorker:
            events.append("worker started")
            return self

        def stop(self) -> None:
            events.append("worker stopped")

    def fake_serve(*, port: int, accounts: Any) -> int:
        events.append(f"serving on {port}")
        raise KeyboardInterrupt  # Ctrl+C

    monkeypatch.setattr(worker, "WorkerBeside", FakeWorker)
    monkeypatch.setattr(worker, "interrupt_on_sigterm", lambda: None)
    monkeypatch.setattr(demo, "serve_demo", fake_serve)
    monkeypatch.setattr(demo, "load_demo_data", lambda **kwargs: [])
    with pytest.raises(KeyboardInterrupt):
        demo.run_demo(_args(no_serve=False, port=8123))
    assert events == ["worker started", "serving on 8123", "worker stopped"]
