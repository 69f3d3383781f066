"""The import web flow (pretix-style): upload → stored file → preview → confirm → background job →
progress → result, plus the import history.

An upload is stored under ``MEDIA_ROOT/imports/<uuid>/`` with a small ``upload.json.enc`` saying what
it is and who uploaded it; nothing is imported until the uploader confirms the preview. Everything in
that folder (the original, the checked preview, the rejected-rows file) is encrypted under the data
key and owner-only (``huican.core.filecrypt``), and the folder is deleted after
``HUICAN_UPLOAD_RETENTION_DAYS`` (``huican.exchange.retention``). The import
itself runs through ``huican.exchange.pipeline.run_import`` in a background job
(``huican.core.tasks.submit``), exactly as ``huican import`` does on the command line.

The upload checks here are shared with the REST API (``huican.exchange.api``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huican.accounts.access import can
from huican.accounts.decorators import client_ip, require_can
from huican.accounts.models import User
from huican.core.audit import audit_record
from huican.core.crypto import DecryptionError, mask_id_number, mask_phone
from huican.core.filecrypt import decrypted_copy, encrypt_bytes_to, encrypt_to, private_dir, read_decrypted
from huican.core.models import Job
from huican.core.tasks import submit
from huican.exchange.kinds import KINDS
from huican.exchange.models import ImportBatch
from huican.exchange.pipeline import ImportPreview, ImportRefused, ShrinkRefused, preview_import, run_import
from huican.exchange.reading import Table, locate_header, normalize_header
from huican.exchange.rejects import download_name, rejects_for
from huican.exchange.selectors import batches_for, importable_kinds
from huican.exchange.services import record_refusal
from huican.exchange.signals import import_done

ALLOWED_SUFFIXES = (".csv", ".xlsx")
_MASKED_COLUMNS = {"公民身份号码": mask_id_number, "残疾人证号": mask_id_number, "联系电话": mask_phone}
META_FILE = "upload.json.enc"
PREVIEW_FILE = "preview.json.enc"
REJECTS_FILE = "rejects.csv.enc"
FILE_NAME_LENGTH = 255  # ImportBatch.file_name
PREVIEW_JOB = "import.preview"
PREVIEW_ROWS = 20
RESULT_REJECTED_ROWS = 100
_TOKEN_CHARS = frozenset("0123456789abcdef")


class UploadProblem(Exception):
    """An upload refused before anything is stored (wrong type, too large, kind not allowed)."""

    def __init__(self, message: str, *, status: int = 422, code: str = "bad_upload") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


# ---------------------------------------------------------------------------------------------
# Shared with the API


def check_upload(*, user: Any, kind: str, upload: UploadedFile | None) -> None:
    """Raise UploadProblem unless `user` may import `upload` as `kind`."""
    if kind not in KINDS:
        raise UploadProblem(_("未知的导入类型：{kind}").format(kind=kind), code="unknown_kind")
    if not can(user, f"import:{kind}"):
        raise UploadProblem(
            _("您无权导入“{title}”").format(title=KINDS[kind].title), status=403, code="forbidden"
        )
    if upload is None:
        raise UploadProblem(_("请选择要上传的文件"), code="file_missing")
    if "\x00" in (upload.name or ""):
        raise UploadProblem(_("文件名中含有不允许的字符"), code="bad_file_name")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadProblem(
            _("不支持的文件类型“{suffix}”：请上传 .xlsx 或 .csv 文件").format(suffix=suffix or _("无后缀")),
            status=415,
            code="unsupported_file_type",
        )
    limit = settings.HUICAN_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadProblem(
            _("文件过大（{size}），上限为 {limit}").format(
                size=filesizeformat(upload.size), limit=filesizeformat(limit)
            ),
            status=413,
            code="payload_too_large",
        )
    if not upload.size:
        raise UploadProblem(_("文件是空的"), code="file_empty")


def store_upload(
    *, user: Any, kind: str, upload: UploadedFile, ip_address: str = "", data_date: dt.date | None = None
) -> str:
    """Store an upload, encrypted, under MEDIA_ROOT/imports/<token>/ and return the token (audited).

    The stored name is fixed (``upload.csv.enc``/``upload.xlsx.enc``): the person's file name,
    however long, is only kept (shortened to what the history holds) in the encrypted description."""
    token = uuid.uuid4().hex
    folder = _upload_dir(token)
    private_dir(folder.parent)
    folder.mkdir(mode=0o700, exist_ok=False)
    original = Path(str(upload.name or "upload").replace("\\", "/")).name or "upload"
    suffix = Path(original).suffix.lower()
    if len(original) > FILE_NAME_LENGTH:
        original = original[: FILE_NAME_LENGTH - len(suffix)] + suffix
    stored = "upload" + suffix + ".enc"
    unpacked = _unpacked_size(upload) if suffix == ".xlsx" else None
    digest = hashlib.sha256()

    def hashed(chunks: Any) -> Any:
        for chunk in chunks:
            digest.update(chunk)
            yield chunk

    size = encrypt_to(folder / stored, hashed(upload.chunks()))
    meta = {
        "kind": kind,
        "file_name": original,
        "stored_name": stored,
        "user_id": user.pk,
        "size": size,
        "checksum": digest.hexdigest(),  # of the file as uploaded, as the import records it
        "unpacked_size": unpacked,
        "uploaded_at": timezone.now().isoformat(),
        "data_date": data_date.isoformat() if data_date else None,
    }
    _write_meta(token, meta)
    audit_record(
        actor=user,
        action="import.upload",
        object_type="upload",
        object_id=token,
        detail={"kind": kind, "file": original, "size": meta["size"]},
        ip_address=ip_address,
    )
    return token


def record_upload_refusal(
    *, user: Any, token: str, meta: dict[str, Any], reason: str, ip_address: str = ""
) -> None:
    """Record that a stored upload was refused whole (at its header or its check), as `huican import`
    records a refused file: once per upload, however often its preview is shown."""
    if meta.get("refused_batch_id"):
        return
    batch = record_refusal(
        kind=meta["kind"],
        file_name=meta["file_name"],
        actor=user,
        reason=reason,
        checksum=meta.get("checksum", ""),
        data_date=dt.date.fromisoformat(meta["data_date"]) if meta.get("data_date") else None,
        ip_address=ip_address,
    )
    meta["refused_batch_id"] = batch.pk
    _write_meta(token, meta)


def import_job(
    *,
    import_kind: str,
    path: str,
    file_name: str,
    actor_id: int,
    rejects_path: str,
    progress: Any,
    data_date: str | None = None,
    confirmed_counts: list[int] | None = None,
    token: str = "",
    work_bytes: int = 0,
) -> dict[str, Any]:
    """Background task: run the import pipeline on a stored upload — in a worker process when the
    upload (for an .xlsx: what it unpacks to, `work_bytes`) is larger than
    HUICAN_IMPORT_PROCESS_BYTES (its memory is returned when it ends: `huican.exchange.worker`) —
    then start what follows new data."""
    arguments: dict[str, Any] = {
        "import_kind": import_kind,
        "path": path,
        "file_name": file_name,
        "actor_id": actor_id,
        "rejects_path": rejects_path,
        "data_date": data_date,
        "confirmed_counts": confirmed_counts,
        "token": token,
    }
    job_id = getattr(progress, "job_id", None)
    if job_id and max(work_bytes, Path(path).stat().st_size) > settings.HUICAN_IMPORT_PROCESS_BYTES:
        from huican.exchange.worker import run_in_process

        outcome = run_in_process(
            "huican.exchange.views:import_stored_upload", job_id=job_id, kwargs=arguments
        )
    else:
        outcome = import_stored_upload(progress=progress, **arguments)
    if outcome.get("status") == ImportBatch.Status.DONE:
        # New data: the findings recompute so the work list follows the lists (issue 5), and the
        # dashboard warms its figures so its first view after new data is not the slow one.
        import_done.send(sender=import_stored_upload, actor=User.objects.get(pk=actor_id))
    return outcome


def import_stored_upload(
    *,
    import_kind: str,
    path: str,
    file_name: str,
    actor_id: int,
    rejects_path: str,
    progress: Any,
    data_date: str | None = None,
    confirmed_counts: list[int] | None = None,
    token: str = "",
) -> dict[str, Any]:
    """The import itself: the stored upload decrypted into a private temporary copy for the
    readers (removed afterwards), through `run_import` as on the command line."""
    actor = User.objects.get(pk=actor_id)
    stored = Path(path)
    try:
        with decrypted_copy(stored, suffix=_plain_suffix(stored)) as plain:
            batch = run_import(
                kind=import_kind,
                path=plain,
                stored_path=str(stored),
                file_name=file_name,
                actor=actor,
                rejects_path=Path(rejects_path),
                progress=progress,
                data_date=dt.date.fromisoformat(data_date) if data_date else None,
                confirmed_counts=(confirmed_counts[0], confirmed_counts[1]) if confirmed_counts else None,
            )
    except ImportRefused as exc:
        refused = ImportBatch.objects.filter(
            kind=import_kind, imported_by=actor, status=ImportBatch.Status.REFUSED
        )
        latest = refused.order_by("-id").values_list("id", flat=True).first()
        shrink = exc.shrink.as_dict() if isinstance(exc, ShrinkRefused) else None
        return {"batch_id": latest, "refused": str(exc), "shrink": shrink, "token": token}
    return {"batch_id": batch.pk, "status": batch.status}


def parse_confirmation(value: str | None) -> tuple[int, int] | None:
    """A shrink confirmation names both counts: "accepted/in force" (e.g. "120/5000")."""
    if not value:
        return None
    parts = value.replace(",", "").split("/")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise UploadProblem(
            _("确认替换名单应写成“新名单行数/现行名单行数”，如 120/5000"), code="bad_confirmation"
        )
    return int(parts[0]), int(parts[1])


def start_import(
    *, user: Any, token: str, ip_address: str = "", confirmed_counts: tuple[int, int] | None = None
) -> Job:
    """Confirm a stored upload: submit its import as a background job (once; after a refusal for
    shrinking a list, once more with the person's confirmation)."""
    meta = load_upload(user, token)
    if meta.get("job_id"):
        previous = Job.objects.get(pk=meta["job_id"])
        if not (confirmed_counts and (previous.result or {}).get("shrink")):
            return previous
    stored = stored_file(token, meta)
    rejects = _upload_dir(token) / REJECTS_FILE
    job = submit(
        kind="import",
        actor=user,
        func=import_job,
        import_kind=meta["kind"],
        path=str(stored),
        file_name=meta["file_name"],
        actor_id=user.pk,
        rejects_path=str(rejects),
        data_date=meta.get("data_date"),
        confirmed_counts=list(confirmed_counts) if confirmed_counts else None,
        token=token,
        work_bytes=work_bytes(meta),
    )
    meta["job_id"] = job.pk
    _write_meta(token, meta)
    audit_record(
        actor=user,
        action="import.confirm",
        object_type="upload",
        object_id=token,
        detail={
            "kind": meta["kind"],
            "file": meta["file_name"],
            "job": job.pk,
            "data_date": meta.get("data_date"),
            "confirmed_counts": list(confirmed_counts) if confirmed_counts else None,
        },
        ip_address=ip_address,
    )
    return job


def batch_of_job(job: Job) -> ImportBatch | None:
    batch_id = (job.result or {}).get("batch_id")
    if batch_id:
        return ImportBatch.objects.filter(pk=batch_id).first()
    return None


def load_upload(user: Any, token: str) -> dict[str, Any]:
    """The stored upload's description; Http404 unless it exists and belongs to `user`."""
    if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
        raise Http404(_("未找到该上传文件"))
    try:
        meta = _read_meta(token)
    except (OSError, ValueError, DecryptionError):
        raise Http404(_("未找到该上传文件")) from None
    if meta.get("user_id") != user.pk:
        raise Http404(_("未找到该上传文件"))
    return meta


def column_mapping(kind: str, header: list[str]) -> list[dict[str, Any]]:
    """For each column of the kind: which header of the file supplies it (or none)."""
    trimmed = [normalize_header(h) for h in header]
    rows = []
    for column in KINDS[kind].columns:
        names = {column.name, *column.aliases}
        found = next((h for h in trimmed if h in names), "")
        rows.append(
            {"name": column.name, "aliases": column.aliases, "required": column.required, "found": found}
        )
    return rows


def read_header(kind: str, path: Path) -> Table:
    """The header row only, found as the import finds it (the first 10 rows; for .xlsx the first
    visible sheet that has one). `path` is a stored (encrypted) upload: a CSV's first chunks are
    enough (`locate_header` reads 256 KB), an .xlsx is decrypted whole."""
    suffix = _plain_suffix(path)
    limit = 1 << 20 if suffix == ".csv" else None
    with decrypted_copy(path, suffix=suffix, limit=limit) as plain:
        return locate_header(plain, KINDS[kind].missing_from)


def _unpacked_size(upload: UploadedFile) -> int | None:
    """What an .xlsx upload unpacks to (the size of the work of reading it), or None."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def work_bytes(meta: dict[str, Any]) -> int:
    """How much reading an upload takes: its size, or for an .xlsx what it unpacks to (a small
    .xlsx can hold millions of cells)."""
    return max(int(meta.get("size") or 0), int(meta.get("unpacked_size") or 0))


def _plain_suffix(stored: Path) -> str:
    """`upload.csv.enc` → `.csv`."""
    return Path(stored.name.removesuffix(".enc")).suffix.lower()


def stored_file(token: str, meta: dict[str, Any]) -> Path:
    return _upload_dir(token) / meta["stored_name"]


def _upload_dir(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / token


def _write_meta(token: str, meta: dict[str, Any]) -> None:
    encrypt_bytes_to(_upload_dir(token) / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def _read_meta(token: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(read_decrypted(_upload_dir(token) / META_FILE)))


def _read_preview(token: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(read_decrypted(_upload_dir(token) / PREVIEW_FILE)))


# ---------------------------------------------------------------------------------------------
# Pages


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入类型"))
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy(
            ".xlsx 或 .csv（UTF-8 或 GBK）。表头须在前 10 行内；.xlsx 读取第一个含表头的可见工作表"
        ),
    )
    data_date = forms.DateField(
        label=gettext_lazy("数据日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "部门提取这份名单的日期，不填则为今天。计算某日的数据时，使用该日或之前提取的最新名单，"
            "所以补录旧名单不会改变之后的数字，新名单也不会改变之前的数字"
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, f"{KINDS[k].title}（{KINDS[k].source}）") for k in importable_kinds(user)
        ]

    def clean_data_date(self) -> dt.date | None:
        value = self.cleaned_data.get("data_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("数据日期不能晚于今天"))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "kind" in cleaned and "file" in cleaned:
            try:
                check_upload(user=self.user, kind=cleaned["kind"], upload=cleaned["file"])
            except UploadProblem as problem:
                self.add_error("file", str(problem))
        return cleaned


@require_can("import")
def index(request: HttpRequest) -> HttpResponse:
    kinds = [KINDS[k] for k in importable_kinds(request.user)]
    recent = batches_for(request.user)[:10]
    return render(request, "exchange/index.html", {"kinds": kinds, "recent": recent})


@require_can("import")
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            token = store_upload(
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                ip_address=client_ip(request),
                data_date=form.cleaned_data.get("data_date"),
            )
            return redirect("exchange:preview", token=token)
        status = 400
    else:
        form = UploadForm(initial={"kind": request.GET.get("kind", "")}, user=request.user)
        status = 200
    context = {
        "form": form,
        "max_bytes": settings.HUICAN_MAX_UPLOAD_BYTES,
        "xlsx_max_unpacked": settings.HUICAN_XLSX_MAX_UNPACKED_BYTES,
        "xlsx_max_cells": f"{settings.HUICAN_XLSX_MAX_CELLS:,}",
        "retention_days": settings.HUICAN_UPLOAD_RETENTION_DAYS,
    }
    return render(request, "exchange/upload.html", context, status=status)


@require_can("import")
def preview(request: HttpRequest, token: str) -> HttpResponse:
    meta = load_upload(request.user, token)
    if not can(request.user, f"import:{meta['kind']}"):
        raise PermissionDenied(_("您无权导入此类型"))
    if request.method == "POST":
        try:
            confirmed = parse_confirmation(request.POST.get("confirm_shrink"))
        except UploadProblem:
            confirmed = None
        job = start_import(
            user=request.user, token=token, ip_address=client_ip(request), confirmed_counts=confirmed
        )
        return redirect("exchange:progress", job_id=job.pk)
    if meta.get("job_id"):
        return redirect("exchange:progress", job_id=meta["job_id"])
    path = stored_file(token, meta)
    context: dict[str, Any] = {"meta": meta, "spec": KINDS[meta["kind"]], "token": token}
    try:
        context["columns"] = column_mapping(meta["kind"], read_header(meta["kind"], path).header)
    except ImportRefused as exc:
        context["refused"] = str(exc)
        if exc.missing:
            context["columns"] = column_mapping(meta["kind"], exc.header)
        record_upload_refusal(
            user=request.user, token=token, meta=meta, reason=str(exc), ip_address=client_ip(request)
        )
        return render(request, "exchange/preview.html", context, status=422)
    checked = checked_preview(user=request.user, token=token, meta=meta)
    if isinstance(checked, Job):
        # A large file is checked in the background; this page refreshes itself until it is done.
        return render(request, "exchange/preview_wait.html", {**context, "job": checked})
    if "refused" in checked:
        context["refused"] = checked["refused"]
        if not checked.get("check_failed"):
            record_upload_refusal(
                user=request.user,
                token=token,
                meta=meta,
                reason=checked["refused"],
                ip_address=client_ip(request),
            )
        return render(request, "exchange/preview.html", context, status=422)
    result = ImportPreview(**checked["preview"])
    spec_columns = [c.name for c in KINDS[meta["kind"]].columns]
    present = [c["name"] for c in context["columns"] if c["found"]]
    shown = [c for c in spec_columns if c in present]
    context.update(
        preview=result,
        shown_columns=shown,
        first_rows=[
            [row.get("__row"), *[_shown_value(request.user, c, row.get(c)) for c in shown]]
            for row in result.first_rows
        ],
    )
    full = [c for c in shown if c in _MASKED_COLUMNS]
    if full and result.first_rows and can(request.user, "view_full_id"):
        # The preview shows these columns unmasked to a user with the full-ID right: accounted for.
        audit_record(
            actor=request.user,
            action="import.preview_full_ids",
            object_type="upload",
            object_id=token,
            detail={"kind": meta["kind"], "columns": full, "rows": len(result.first_rows)},
            ip_address=client_ip(request),
        )
    return render(request, "exchange/preview.html", context)


def checked_preview(*, user: Any, token: str, meta: dict[str, Any]) -> dict[str, Any] | Job:
    """The checked preview of a stored upload: ``{"preview": …}`` or ``{"refused": …}``.

    A small file is checked during the request. A large one (over HUICAN_PREVIEW_INLINE_BYTES)
    is checked by a background job — validating every row of a 500 MB file takes minutes — and
    the Job is returned while it runs. The result is kept beside the upload, so it is computed once.
    """
    cached = _upload_dir(token) / PREVIEW_FILE
    if cached.is_file():
        return _read_preview(token)
    if work_bytes(meta) <= settings.HUICAN_PREVIEW_INLINE_BYTES:
        return _check_and_keep(meta["kind"], token)
    job = Job.objects.filter(pk=meta.get("preview_job_id") or 0, kind=PREVIEW_JOB).first()
    if job is None:
        job = submit(
            kind=PREVIEW_JOB, actor=user, func=check_upload_preview, import_kind=meta["kind"], token=token
        )
        meta["preview_job_id"] = job.pk
        _write_meta(token, meta)
    if cached.is_file():  # the job has already finished (or ran synchronously)
        return _read_preview(token)
    if job.status == Job.Status.FAILED:
        # The check itself failed (not the file refused): nothing to record as a refusal.
        message = _("检查文件时出错：%(message)s") % {"message": job.message or "?"}
        return {"refused": message, "check_failed": True}
    return job


def check_upload_preview(*, import_kind: str, token: str, progress: Any) -> dict[str, Any]:
    """The background task of `checked_preview` (in a worker process for a large upload, as the
    import itself: checking every row takes as much memory as importing)."""
    progress(10, _("检查每一行"))
    job_id = getattr(progress, "job_id", None)
    size = work_bytes(_read_meta(token))
    if job_id and size > settings.HUICAN_IMPORT_PROCESS_BYTES:
        from huican.exchange.worker import run_in_process

        return run_in_process(
            "huican.exchange.views:check_upload_preview_here",
            job_id=job_id,
            kwargs={"import_kind": import_kind, "token": token},
        )
    return check_upload_preview_here(import_kind=import_kind, token=token, progress=progress)


def check_upload_preview_here(*, import_kind: str, token: str, progress: Any) -> dict[str, Any]:
    checked = _check_and_keep(import_kind, token)
    return {"token": token, "refused": "refused" in checked}


def _check_and_keep(import_kind: str, token: str) -> dict[str, Any]:
    """Check a stored upload (every row) and keep the preview beside it."""
    meta = _read_meta(token)
    stored = stored_file(token, meta)
    try:
        with decrypted_copy(stored, suffix=_plain_suffix(stored)) as plain:
            checked: dict[str, Any] = {
                "preview": asdict(
                    preview_import(
                        kind=import_kind,
                        path=plain,
                        limit=PREVIEW_ROWS,
                        data_date=dt.date.fromisoformat(meta["data_date"]) if meta.get("data_date") else None,
                    )
                )
            }
    except ImportRefused as exc:
        checked = {"refused": str(exc)}
    text = json.dumps(checked, ensure_ascii=False, default=str)
    # Encrypted like the upload; written to a temporary name and renamed: readers never see half a file.
    encrypt_bytes_to(_upload_dir(token) / PREVIEW_FILE, text.encode("utf-8"))
    return checked


def _shown_value(user: Any, column: str, value: Any) -> Any:
    """Preview values as the registry shows them: ID, certificate and phone numbers masked unless
    the user's role may see them in full."""
    if value is None or column not in _MASKED_COLUMNS or can(user, "view_full_id"):
        return value
    return _MASKED_COLUMNS[column](str(value))


@require_can("import")
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    user: Any = request.user
    job = Job.objects.filter(pk=job_id, kind="import", created_by=user).first()
    if job is None:
        raise Http404(_("未找到该导入任务"))
    shrink = (job.result or {}).get("shrink")
    if job.status == Job.Status.DONE and not shrink:
        batch = batch_of_job(job)
        if batch is not None:
            return redirect("exchange:result", batch_id=batch.pk)
    # The page refreshes itself every 2 s (a <meta> refresh: no JavaScript needed) until done.
    # A list that would shrink much is asked about here: the person confirms naming both counts.
    context = {
        "job": job,
        "refused": (job.result or {}).get("refused"),
        "shrink": shrink,
        "token": (job.result or {}).get("token", ""),
    }
    return render(request, "exchange/progress.html", context)


@require_can("import")
def result(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches_for(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404(_("未找到该导入记录"))
    rejected = list(batch.rejected_rows.all()[:RESULT_REJECTED_ROWS])
    can_download = bool(batch.rejected and batch.rejects_path and Path(batch.rejects_path).is_file())
    context = {
        "batch": batch,
        "spec": KINDS.get(batch.kind),
        "rejected_rows": rejected,
        "more_rejected": max(0, batch.rejected - len(rejected)),
        "can_download": can_download,
    }
    return render(request, "exchange/result.html", context)


@require_can("import")
def rejects_download(request: HttpRequest, batch_id: int) -> Any:  # a FileResponse
    batch = batches_for(request.user).filter(pk=batch_id).first()
    if batch is None or not batch.rejects_path or not Path(batch.rejects_path).is_file():
        raise Http404(_("没有可下载的未通过行文件"))
    content = rejects_for(request.user, kind=batch.kind, path=Path(batch.rejects_path))
    audit_record(
        actor=request.user,
        action="import.rejects_download",
        object_type="import",
        object_id=batch.pk,
        detail={
            "kind": batch.kind,
            "file": batch.file_name,
            "rejected": batch.rejected,
            "full_ids": can(request.user, "view_full_id"),
        },
        ip_address=client_ip(request),
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=download_name(batch.file_name),
        content_type="text/csv; charset=utf-8",
    )


@require_can("import")
def history(request: HttpRequest) -> HttpResponse:
    batches = batches_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in KINDS:
        batches = batches.filter(kind=kind)
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    kinds = [(k, KINDS[k].title) for k in importable_kinds(request.user)]
    return render(
        request,
        "exchange/history.html",
        {"page": page, "kind": kind, "kinds": kinds, "titles": {k: KINDS[k].title for k in KINDS}},
    )
