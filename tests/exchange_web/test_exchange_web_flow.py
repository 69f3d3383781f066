"""The import web flow: upload → preview → confirm → progress → result → download, and history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huican.core.models import AuditEntry, Job
from huican.exchange.models import ImportBatch
from huican.registry.models import Person
from tests.exchange.helpers import registry_csv


def upload(client: Any, kind: str, name: str, content: bytes) -> Any:
    return client.post("/imports/upload/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_the_whole_flow_with_good_and_bad_rows(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    index = client.get("/imports/")
    assert index.status_code == 200 and "持证残疾人名册" in index.content.decode()

    response = upload(client, "registry", "名册 2025.csv", registry_csv(good=3, bad=2))
    assert response.status_code == 302
    preview_url = response["Location"]
    assert not ImportBatch.objects.exists() and Person.objects.count() == 0  # nothing before confirming

    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert preview.context["preview"].would_accept == 3
    assert preview.context["preview"].would_reject == 2
    assert [p[0] for p in preview.context["preview"].problems] == [5, 6]
    assert "校验码" in page and "确认导入" in page
    assert len(preview.context["first_rows"]) == 5
    assert {c["name"]: c["found"] for c in preview.context["columns"]}["公民身份号码"] == "公民身份号码"

    confirmed = client.post(preview_url)
    assert confirmed.status_code == 302 and "/imports/jobs/" in confirmed["Location"]
    progress = client.get(confirmed["Location"])
    assert progress.status_code == 302  # finished (tasks run synchronously in tests): on to the result
    batch = ImportBatch.objects.get()
    assert progress["Location"] == f"/imports/{batch.pk}/"
    assert (
        client.post(preview_url)["Location"] == confirmed["Location"]
    )  # a second confirm imports nothing new
    assert ImportBatch.objects.count() == 1

    result = client.get(f"/imports/{batch.pk}/")
    assert result.status_code == 200
    text = result.content.decode()
    assert (batch.rows_read, batch.accepted, batch.rejected) == (5, 3, 2)
    assert [r.row_number for r in result.context["rejected_rows"]] == [5, 6]
    assert "名册 2025.csv" in text and f"/imports/{batch.pk}/rejects.csv" in text
    assert Person.objects.count() == 3

    download = client.get(f"/imports/{batch.pk}/rejects.csv")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("行号,列,原因") and len(lines) == 3
    assert "rejected.csv" in download["Content-Disposition"]

    history = client.get("/imports/history/")
    assert batch.checksum[:10] in history.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"import.upload", "import.confirm", "import.rejects_download"} <= actions


@pytest.mark.django_db
def test_a_wrong_file_type_gets_a_clear_message(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    response = upload(client, "registry", "名册.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(
    client: Any, city_staff: Any, tmp_var: Any, settings: Any
) -> None:
    settings.HUICAN_MAX_UPLOAD_BYTES = 20
    client.force_login(city_staff)
    response = upload(client, "registry", "名册.csv", registry_csv())
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


@pytest.mark.django_db
def test_a_missing_header_is_refused_whole_with_the_columns_named(
    client: Any, city_staff: Any, tmp_var: Any
) -> None:
    client.force_login(city_staff)
    response = upload(client, "registry", "名册.csv", "姓名,身份证号\n张三,110102199101010078\n".encode())
    preview = client.get(response["Location"])
    assert preview.status_code == 422
    page = preview.content.decode()
    assert "此文件不能导入" in page and "残疾人证号" in page
    assert "确认导入" not in page
    missing = [c["name"] for c in preview.context["columns"] if c["required"] and not c["found"]]
    assert "残疾人证号" in missing and "公民身份号码" not in missing  # 身份证号 is an alias


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_not_a_500(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    response = upload(client, "registry", "名册.xlsx", b"this is not a zip file")
    preview = client.get(response["Location"])
    assert preview.status_code == 422
    assert "此文件不能导入" in preview.content.decode()


@pytest.mark.django_db
def test_gb18030_csv_is_read(client: Any, city_staff: Any, tmp_var: Any) -> None:
    client.force_login(city_staff)
    response = upload(client, "registry", "名册.csv", registry_csv(good=2, bad=0).decode().encode("gb18030"))
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and preview.context["preview"].would_accept == 2


@pytest.mark.django_db
def test_an_officer_sees_and_imports_only_their_kinds(client: Any, officer: Any, tmp_var: Any) -> None:
    client.force_login(officer)
    index = client.get("/imports/").content.decode()
    assert "最低生活保障对象" in index and "持证残疾人名册" not in index
    assert upload(client, "registry", "名册.csv", registry_csv()).status_code == 400
    response = upload(
        client,
        "dibao",
        "低保.csv",
        "公民身份号码,姓名,起始日期\n110102199101010078,某人,2024-01-01\n".encode(),
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_who_import_nothing_are_refused(client: Any, county_staff: Any) -> None:
    client.force_login(county_staff)
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/upload/").status_code == 403


def test_anonymous_users_are_sent_to_login(client: Any, db: Any) -> None:
    response = client.get("/imports/upload/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_an_upload_belongs_to_its_uploader(client: Any, city_staff: Any, tmp_var: Any) -> None:
    from tests.factories import make_user

    client.force_login(city_staff)
    preview_url = upload(client, "registry", "名册.csv", registry_csv())["Location"]
    colleague = make_user("city_staff", "140900", username="city2")
    client.force_login(colleague)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url).status_code == 404
    assert client.get("/imports/upload/../../etc/").status_code == 404
    assert client.get("/imports/upload/" + "g" * 32 + "/").status_code == 404


@pytest.mark.django_db
def test_the_progress_page_refreshes_itself_while_running(client: Any, city_staff: Any) -> None:
    job = Job.objects.create(
        kind="import", created_by=city_staff, status=Job.Status.RUNNING, progress=40, message="校验完成"
    )
    client.force_login(city_staff)
    response = client.get(f"/imports/jobs/{job.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<meta http-equiv="refresh" content="2">', page)
    assert "40%" in page and 'value="40"' in page
    job.status = Job.Status.FAILED
    job.message = "出错了"
    job.save()
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "refresh" not in page and "出错了" in page


@pytest.mark.django_db
def test_a_batch_is_seen_only_by_who_may_see_it(client: Any, city_staff: Any, tmp_var: Any) -> None:
    from tests.factories import make_user

    client.force_login(city_staff)
    preview_url = upload(
        client,
        "dibao",
        "低保.csv",
        "公民身份号码,姓名,起始日期\n110102199101010078,某人,2024-01-01\n".encode(),
    )["Location"]
    client.post(preview_url)
    batch = ImportBatch.objects.get()
    county_officer = make_user(
        "department_officer", "140902", username="xian-minzheng", import_kinds=["dibao"]
    )
    city_officer = make_user("department_officer", "140900", username="shi-minzheng", import_kinds=["dibao"])
    client.force_login(county_officer)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.get(f"/imports/{batch.pk}/rejects.csv").status_code == 404
    client.force_login(city_officer)
    assert client.get(f"/imports/{batch.pk}/").status_code == 200


@pytest.mark.django_db
def test_an_xlsx_file_goes_through_the_same_flow(
    client: Any, city_staff: Any, tmp_var: Any, tmp_path: Any
) -> None:
    import xlsxwriter

    path = tmp_path / "名册.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for r, line in enumerate(registry_csv(good=2, bad=1).decode().strip().splitlines()):
        for c, value in enumerate(line.split(",")):
            sheet.write_string(r, c, value)
    workbook.close()
    client.force_login(city_staff)
    preview_url = upload(client, "registry", "名册.xlsx", path.read_bytes())["Location"]
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert (preview.context["preview"].would_accept, preview.context["preview"].would_reject) == (2, 1)
    client.post(preview_url)
    batch = ImportBatch.objects.get()
    assert (batch.accepted, batch.rejected) == (2, 1)


@pytest.mark.django_db
def test_the_preview_masks_id_numbers_unless_the_role_may_see_them(
    client: Any, city_staff: Any, tmp_var: Any
) -> None:
    content = registry_csv(good=1, bad=0)
    id_number = content.decode().splitlines()[1].split(",")[1]
    client.force_login(city_staff)
    page = client.get(upload(client, "registry", "名册.csv", content)["Location"]).content.decode()
    assert id_number not in page and id_number[:4] + "*" in page
    city_staff.may_view_full = True
    city_staff.save()
    page = client.get(upload(client, "registry", "名册.csv", content)["Location"]).content.decode()
    assert id_number in page


@pytest.mark.django_db
def test_a_completed_web_import_triggers_a_findings_run(client: Any, city_staff: Any, tmp_var: Any) -> None:
    from huican.matching.models import FindingRun

    client.force_login(city_staff)
    preview_url = upload(client, "registry", "名册.csv", registry_csv(good=2, bad=0))["Location"]
    client.post(preview_url)
    run = FindingRun.objects.get()
    assert run.status == FindingRun.Status.DONE
    assert run.triggered_by == city_staff
    warm = Job.objects.get(kind="monitoring.warm")
    assert warm.status == Job.Status.DONE and warm.result["runs"] >= 1
    assert warm.result["category_breakdowns"] == 11  # the city's breakdown kept for the first page


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_in_the_background_then_previewed(
    client: Any, city_staff: Any, tmp_var: Any, settings: Any
) -> None:
    settings.HUICAN_PREVIEW_INLINE_BYTES = 10  # every test file counts as large
    settings.HUICAN_TASKS_SYNC = False  # see the waiting page: the job is queued for the worker
    client.force_login(city_staff)
    preview_url = upload(client, "registry", "大名册.csv", registry_csv(good=3, bad=2))["Location"]

    waiting = client.get(preview_url)
    assert waiting.status_code == 200
    assert next(t.name for t in waiting.templates) == "exchange/preview_wait.html"
    page = waiting.content.decode()
    assert 'http-equiv="refresh"' in page and "正在逐行检查" in page and "确认导入" not in page
    job = waiting.context["job"]
    assert job.kind == "import.preview" and not ImportBatch.objects.exists()

    from huican.core.tasks import run_job

    assert client.get(preview_url).context["job"] == job  # still waiting: no worker has run it yet
    assert run_job(job.pk) == Job.Status.DONE  # what the worker process does with it
    shown = client.get(preview_url)
    assert shown.status_code == 200 and "确认导入" in shown.content.decode()
    assert (shown.context["preview"].would_accept, shown.context["preview"].would_reject) == (3, 2)
    assert [p[0] for p in shown.context["preview"].problems] == [5, 6]
    # the check ran once: a reload reads the kept result, no second job
    client.get(preview_url)
    assert Job.objects.filter(kind="import.preview").count() == 1
    assert not ImportBatch.objects.exists()  # still nothing imported before confirming


@pytest.mark.django_db
def test_a_large_unreadable_file_is_refused_after_the_background_check(
    client: Any, city_staff: Any, tmp_var: Any, settings: Any
) -> None:
    settings.HUICAN_PREVIEW_INLINE_BYTES = 10
    client.force_login(city_staff)  # tasks run synchronously in tests: the check is done at once
    # The header is found in the first 256 KB; the whole file cannot be decoded (found by the check).
    header = "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,户籍地区划代码,城乡类别,户编号\n"
    body = ("测,1,2,3,4,5,6,7,8\n" * 20000).encode() + b"\xff\xff\xff\n"
    preview_url = upload(client, "registry", "坏.csv", header.encode() + body)["Location"]
    refused = client.get(preview_url)
    assert refused.status_code == 422
    assert "此文件不能导入" in refused.content.decode() and "确认导入" not in refused.content.decode()
    assert Job.objects.filter(kind="import.preview").count() == 1
