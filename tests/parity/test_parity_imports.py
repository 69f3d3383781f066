"""One import three ways — `huican import`, the web upload → preview → confirm and
`POST /api/v1/imports` — gives the same outcome; a file refused whole is refused and recorded the
same way by all three; and a command-line import queues the same post-import steps as the web and
the API (issue 11)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from huican.cli import main
from huican.core.models import AuditEntry, Job
from huican.exchange.models import ImportBatch, ListRecord, RejectedRow
from huican.exchange.snapshots import active_batch_ids
from huican.registry.models import Person
from tests.exchange.helpers import registry_csv
from tests.factories import id_number

PERSON_FIELDS = ("id_hash", "name", "sex", "birth_date", "category", "grade", "county_code", "urban_rural")
RECORD_FIELDS = (
    "kind", "row_number", "id_hash", "in_registry", "name", "start_date", "end_date", "category", "status", "amount"
)  # fmt: skip
DIBAO_HEADER = "公民身份号码,姓名,保障类别,起始日期,终止日期,月保障金额（元）"


class _Rollback(Exception):
    pass


def outcome() -> dict[str, Any]:
    """What the latest import left: its status, counts and rejected rows, its list records and the
    stored persons."""
    batch = ImportBatch.objects.latest("id")
    return {
        "status": batch.status,
        "counts": (batch.rows_read, batch.accepted, batch.rejected, batch.not_in_registry),
        "rejected": [
            (r.row_number, r.columns, r.reasons) for r in batch.rejected_rows.order_by("row_number")
        ],
        "persons": sorted(Person.objects.values_list(*PERSON_FIELDS)),
        "records": sorted(ListRecord.objects.filter(batch=batch).values_list(*RECORD_FIELDS)),
    }


def isolated(action: Callable[[], Any]) -> Any:
    """Run `action`, read its outcome, and roll its writes back (each way starts on fresh data)."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result["answer"] = action()
            result["outcome"] = outcome() if ImportBatch.objects.exists() else None
            raise _Rollback
    except _Rollback:
        pass
    return result


def by_cli(path: Path, user: Any, capsys: Any, kind: str = "registry", *extra: str) -> tuple[int, str]:
    code = main(["import", kind, str(path), "--user", user.username, *extra])
    return code, capsys.readouterr().out


def by_web(client: Any, user: Any, name: str, content: bytes, kind: str = "registry", **confirm: str) -> str:
    client.force_login(user)
    response = client.post("/imports/upload/", {"kind": kind, "file": SimpleUploadedFile(name, content)})
    if response.status_code != 302:
        return response.content.decode()
    preview_url = response["Location"]
    page = client.get(preview_url)
    if page.context and page.context.get("preview") and page.context["preview"].would_accept:
        client.post(preview_url, confirm, follow=True)
    return page.content.decode()


def by_api(client: Any, key: str, name: str, content: bytes, kind: str = "registry", **confirm: str) -> Any:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(
        "/api/v1/imports", {"kind": kind, "file": upload, **confirm}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def dibao_csv(good: int, bad: int = 0) -> bytes:
    """A 低保 list: `good` rows (the first two of them in the registry if it holds them) and `bad`
    rows with a wrong ID check character and an amount that is no money."""
    lines = [DIBAO_HEADER]
    for i in range(good):
        lines.append(f"{id_number('140902', dt.date(1970, 1, 1), 300 + 2 * i)},低保{i},城市,2024-01-01,,500")
    for i in range(bad):
        valid = id_number("140902", dt.date(1971, 1, 1), 400 + 2 * i)
        wrong = valid[:17] + ("1" if valid[17] != "1" else "2")
        lines.append(f"{wrong},错误{i},城市,2024-01-01,,五百")
    return ("\n".join(lines) + "\n").encode("utf-8")


def in_force() -> int:
    return ListRecord.objects.filter(batch_id__in=active_batch_ids("dibao", dt.date.today())).count()


@pytest.mark.django_db
def test_the_same_registry_file_gives_the_same_outcome_three_ways(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    content = registry_csv(good=3, bad=2)
    path = tmp_path / "名册.csv"
    path.write_bytes(content)
    key = token_for(city_staff)

    cli = isolated(lambda: by_cli(path, city_staff, capsys))
    web = isolated(lambda: by_web(client, city_staff, "名册.csv", content))
    api = isolated(lambda: by_api(client, key, "名册.csv", content).status_code)

    assert cli["answer"] == (0, "accepted 3, rejected 2\n")
    assert api["answer"] == 201
    assert cli["outcome"]["counts"] == (5, 3, 2, 0)
    assert [row[0] for row in cli["outcome"]["rejected"]] == [5, 6]
    assert cli["outcome"] == web["outcome"] == api["outcome"]


@pytest.mark.django_db
def test_the_same_list_file_gives_the_same_outcome_three_ways(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    registry = tmp_path / "名册.csv"
    registry.write_bytes(registry_csv(good=2, bad=0))
    by_cli(registry, city_staff, capsys)  # two of the list's persons are certified
    content = dibao_csv(good=4, bad=2)
    path = tmp_path / "低保.csv"
    path.write_bytes(content)
    key = token_for(city_staff)

    cli = isolated(lambda: by_cli(path, city_staff, capsys, "dibao"))
    web = isolated(lambda: by_web(client, city_staff, "低保.csv", content, "dibao"))
    api = isolated(lambda: by_api(client, key, "低保.csv", content, "dibao").status_code)

    assert cli["answer"] == (0, "accepted 4, rejected 2\nnot in registry: 2\n") and api["answer"] == 201
    assert cli["outcome"]["counts"] == (6, 4, 2, 2)
    assert [row[0] for row in cli["outcome"]["rejected"]] == [6, 7]
    assert len(cli["outcome"]["records"]) == 4
    assert cli["outcome"] == web["outcome"] == api["outcome"]


@pytest.mark.django_db
def test_a_list_that_would_shrink_is_refused_three_ways_until_confirmed(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    full = tmp_path / "低保全.csv"
    full.write_bytes(dibao_csv(good=10))
    by_cli(full, city_staff, capsys, "dibao")
    assert in_force() == 10
    content = dibao_csv(good=3)
    path = tmp_path / "低保.csv"
    path.write_bytes(content)
    key = token_for(city_staff)

    def cli(*confirm: str) -> tuple[int, int]:
        try:
            code = main(["import", "dibao", str(path), "--user", city_staff.username, *confirm])
        except SystemExit as exc:  # pragma: no cover - main returns its code
            code = int(exc.code or 0)
        capsys.readouterr()
        return code, in_force()

    def web(**confirm: str) -> int:
        by_web(client, city_staff, "低保.csv", content, "dibao", **confirm)
        return in_force()

    def api(**confirm: str) -> tuple[int, int]:
        return by_api(client, key, "低保.csv", content, "dibao", **confirm).status_code, in_force()

    def recorded(way: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: (way(), refusals())

    refused = (
        isolated(recorded(cli))["answer"],
        isolated(recorded(web))["answer"],
        isolated(recorded(api))["answer"],
    )
    assert refused[0][0][0] != 0 and refused[2][0][0] == 409
    assert (refused[0][0][1], refused[1][0], refused[2][0][1]) == (10, 10, 10)
    # Each way records the refusal alike (who, which file, why), and it is the only one recorded.
    batches, entries = refused[0][1]
    assert [(b[1], b[5]) for b in batches] == [("低保.csv", ImportBatch.Status.REFUSED)]
    assert [e[2] for e in entries] == ["import.shrink_refused"]
    assert refused[0][1] == refused[1][1] == refused[2][1]
    cli_ok = isolated(lambda: cli("--confirm-shrink"))
    web_ok = isolated(lambda: web(confirm_shrink="3/10"))
    api_ok = isolated(lambda: api(confirm_shrink="3/10"))
    assert cli_ok["answer"] == (0, 3) and web_ok["answer"] == 3 and api_ok["answer"] == (201, 3)
    assert cli_ok["outcome"] == web_ok["outcome"] == api_ok["outcome"]


REFUSAL_FIELDS = (
    "kind", "file_name", "checksum", "imported_by__username", "imported_by_name", "status", "message",
    "data_date", "rows_read", "accepted", "rejected", "stored_path", "rejects_path",
)  # fmt: skip
REFUSAL_ACTIONS = ("import.refused", "import.shrink_refused")


def refusals() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The refused imports recorded (who, when, which file, why) and their audit entries."""
    batches = list(ImportBatch.objects.filter(status=ImportBatch.Status.REFUSED).values_list(*REFUSAL_FIELDS))
    assert all(
        ImportBatch.objects.filter(status=ImportBatch.Status.REFUSED).values_list("finished_at", flat=True)
    )
    entries = list(
        AuditEntry.objects.filter(action__in=REFUSAL_ACTIONS)
        .order_by("sequence")
        .values_list("actor__username", "actor_name", "action", "object_type", "detail")
    )
    return batches, entries


def nothing_else_changed() -> None:
    assert not Job.objects.filter(
        kind__in=["findings_run", "monitoring.warm"]
    ).exists()  # no post-import steps
    assert not ImportBatch.objects.exclude(status=ImportBatch.Status.REFUSED).exists()
    assert (Person.objects.count(), ListRecord.objects.count(), RejectedRow.objects.count()) == (0, 0, 0)


def refused_three_ways(
    client: Any, user: Any, key: str, path: Path, capsys: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The same refused file through `huican import`, the web upload and its preview, and the API:
    each way's answer and what it recorded (each on fresh data)."""
    content = path.read_bytes()

    def cli() -> tuple[Any, ...]:
        code = main(["import", "registry", str(path), "--user", user.username])
        nothing_else_changed()
        return code, capsys.readouterr().err, refusals()

    def web() -> tuple[Any, ...]:
        client.force_login(user)
        upload = client.post(
            "/imports/upload/", {"kind": "registry", "file": SimpleUploadedFile(path.name, content)}
        )
        page = client.get(upload["Location"])
        again = client.get(upload["Location"])  # the refusal shown again is not recorded again
        nothing_else_changed()
        return page.content.decode(), (page.status_code, again.status_code), refusals()

    def api() -> tuple[Any, ...]:
        response = by_api(client, key, path.name, content)
        nothing_else_changed()
        return response, refusals()

    return isolated(cli)["answer"], isolated(web)["answer"], isolated(api)["answer"]


@pytest.mark.django_db
def test_a_file_missing_a_column_is_refused_and_recorded_the_same_three_ways(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "名册.csv"
    path.write_bytes("姓名,公民身份号码\n张三,1\n".encode())

    cli, web, api = refused_three_ways(client, city_staff, token_for(city_staff), path, capsys)

    (code, cli_error, cli_recorded), (web_page, web_again, web_recorded), (response, api_recorded) = (
        cli,
        web,
        api,
    )
    assert code != 0 and response.status_code == 422 and web_again == (422, 422)
    message = response.json()["error"]["message"]
    assert "残疾人证号" in message and "残疾人证号" in response.json()["error"]["details"]["missing_columns"]
    assert cli_error.strip() == f"huican: {message}"
    assert html.escape(message, quote=False) in web_page
    # Each way leaves one refused import in the history — who, when, which file, why — and its audit
    # entry, and nothing else (docs/decisions.md).
    batches, entries = cli_recorded
    assert [(b[0], b[1], b[3], b[5], b[6]) for b in batches] == [
        ("registry", "名册.csv", city_staff.username, ImportBatch.Status.REFUSED, message)
    ]
    assert batches[0][2] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [e[2] for e in entries] == ["import.refused"]
    assert entries[0][4] == {"kind": "registry", "file": "名册.csv", "reason": message}
    assert cli_recorded == web_recorded == api_recorded


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_and_recorded_the_same_three_ways(
    client: Any, city_staff: Any, token_for: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"not a workbook, whatever its name says")

    (code, _err, cli_recorded), (_page, _again, web_recorded), (response, api_recorded) = refused_three_ways(
        client, city_staff, token_for(city_staff), path, capsys
    )

    assert code != 0 and response.status_code == 422
    batches, entries = cli_recorded
    assert len(batches) == len(entries) == 1 and "无法打开" in batches[0][6]
    assert cli_recorded == web_recorded == api_recorded


@pytest.mark.django_db
def test_a_cli_import_queues_the_post_import_steps_and_prints_the_same(
    city_staff: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    """Tests run jobs inline (HUICAN_TASKS_SYNC); the command's post-import jobs are queued anyway."""
    from huican.core.tasks import run_job
    from huican.matching.models import FindingRun
    from huican.matching.runs import JOB_KIND

    path = tmp_path / "名册.csv"
    path.write_bytes(registry_csv(good=3, bad=2))
    code, out = by_cli(path, city_staff, capsys)

    assert (code, out) == (0, "accepted 3, rejected 2\n")
    jobs = {job.kind: job for job in Job.objects.all()}
    assert set(jobs) == {JOB_KIND, "monitoring.warm"}
    assert all(job.status == Job.Status.PENDING and job.task_id for job in jobs.values())
    assert jobs[JOB_KIND].arguments["automatic"] is True
    assert not FindingRun.objects.exists()  # nothing ran in the command's process
    # What the worker does with them: the same automatic run as after a web or API import.
    for job in jobs.values():
        assert run_job(job.pk) == Job.Status.DONE
    assert FindingRun.objects.get().mode == FindingRun.Mode.RECONCILE


@pytest.mark.django_db
def test_a_run_started_after_a_cli_import_in_the_same_process_still_runs(
    city_staff: Any, tmp_var: Any, tmp_path: Path, capsys: Any
) -> None:
    """The command's queued run is not remembered as "waiting" in the process that queued it (a
    one-shot command), so a run started afterwards in that process is not folded into it."""
    from huican.matching.runs import start_findings_run

    path = tmp_path / "名册.csv"
    path.write_bytes(registry_csv(good=3, bad=0))
    by_cli(path, city_staff, capsys)
    job = start_findings_run(actor=city_staff)
    assert job.status == Job.Status.DONE and job.result["mode"] == "reconcile"
