"""Electronic disability certificates (电子证照): a signed code, its QR code, and its verification.

A code is ``HC1.<body>.<signature>``: ``body`` is the base64url of a compact JSON object, the
signature an Ed25519 signature (``huican.portal.cert_keys``) over the ASCII text ``HC1.<body>``, so
the version is signed too. The body holds only what a verifier needs to see — minimum disclosure:

    v  format version (1)            k  key id of the signing key
    n  certificate number, masked     m  name, masked (张*明)
    c  category (1–7)                 g  grade (1–4)
    i  issue date                     e  end of validity (expiry)
    r  registry reference: the holder's blind index (``core.crypto.blind_index`` of the ID number),
       so the registry can be asked whether the certificate was cancelled; it reveals nothing
       without the HMAC key.

No ID number, birth date, address or phone. The signature is checked with public keys only, so a
code can be checked offline; whether the certificate was cancelled needs the registry.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.portal import cert_keys
from huican.registry.models import Person

PREFIX = "HC1"
VERSION = 1
MAX_CODE_LENGTH = 2000  # a real code is about 300 characters: anything far longer is refused unread


class Outcome(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"  # cancelled (注销), holder dead, or replaced by a newer certificate
    MOVED = "moved"  # holder moved out of the city (迁出): the certificate is managed elsewhere
    NOT_FOUND = "not_found"  # correctly signed, but the registry has no such certificate
    FORGED = "forged"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"


LABELS = {
    Outcome.VALID: "有效",
    Outcome.EXPIRED: "已过期",
    Outcome.REVOKED: "已注销",
    Outcome.MOVED: "已迁出本市",
    Outcome.NOT_FOUND: "查无此证",
    Outcome.FORGED: "无效（签名不符）",
    Outcome.UNKNOWN_KEY: "无效（签名密钥不明）",
    Outcome.MALFORMED: "无法识别",
}


@dataclass(frozen=True)
class CertificateFields:
    """What a code discloses (and nothing else)."""

    number_masked: str
    name_masked: str
    category: int
    grade: int
    issue_date: dt.date
    expiry_date: dt.date
    key_id: str
    reference: str = field(repr=False)

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, "?")

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES.get(self.grade, "?")

    def public(self) -> dict[str, Any]:
        """The disclosed fields, as the CLI's JSON and the page show them (no registry reference)."""
        return {
            "certificate_number": self.number_masked,
            "name": self.name_masked,
            "category": self.category_name,
            "grade": self.grade_name,
            "issue_date": self.issue_date.isoformat(),
            "valid_until": self.expiry_date.isoformat(),
            "key_id": self.key_id,
        }


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    message: str
    fields: CertificateFields | None = None  # only when the signature holds
    registry_checked: bool = False

    @property
    def label(self) -> str:
        return _(LABELS[self.outcome])

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VALID

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.outcome.value,
            "label": self.label,
            "message": self.message,
            "registry_checked": self.registry_checked,
            "certificate": self.fields.public() if self.fields else None,
        }


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明; one character stays as it is."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fields_of(person: Person) -> CertificateFields:
    return CertificateFields(
        number_masked=person.certificate_masked,
        name_masked=mask_name(person.name),
        category=person.category,
        grade=person.grade,
        issue_date=person.issue_date,
        expiry_date=person.expiry_date,
        key_id=cert_keys.current_public_key().key_id,
        reference=person.id_hash,
    )


def issue_payload(person: Person) -> str:
    """The signed code of the person's certificate, as of their registry record now."""
    fields = fields_of(person)
    body = {
        "v": VERSION,
        "k": fields.key_id,
        "n": fields.number_masked,
        "m": fields.name_masked,
        "c": fields.category,
        "g": fields.grade,
        "i": fields.issue_date.isoformat(),
        "e": fields.expiry_date.isoformat(),
        "r": fields.reference,
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    signed = f"{PREFIX}.{_b64encode(text.encode('utf-8'))}"
    signature = cert_keys.signing_key().sign(signed.encode("ascii"))
    return f"{signed}.{_b64encode(signature)}"


def code_from_input(text: str) -> str:
    """The code in what a person pasted or scanned: the code itself, or a verification URL with
    ``?c=…`` (spaces and line breaks from copying are dropped)."""
    text = "".join(text.split())
    if "?" in text and "c=" in text:
        values = parse_qs(urlsplit(text).query).get("c")
        if values:
            return "".join(values[0].split())
    return text


def _parse_fields(body: dict[str, Any]) -> CertificateFields:
    if body.get("v") != VERSION:
        raise ValueError("version")
    category, grade = body["c"], body["g"]
    if not isinstance(category, int) or not isinstance(grade, int):
        raise ValueError("category or grade")
    strings = [body[name] for name in ("k", "n", "m", "i", "e", "r")]
    if not all(isinstance(value, str) for value in strings):
        raise ValueError("field type")
    return CertificateFields(
        number_masked=body["n"],
        name_masked=body["m"],
        category=category,
        grade=grade,
        issue_date=dt.date.fromisoformat(body["i"]),
        expiry_date=dt.date.fromisoformat(body["e"]),
        key_id=body["k"],
        reference=body["r"],
    )


def verify(
    text: str,
    *,
    today: dt.date,
    registry: bool = True,
    extra_keys: dict[str, cert_keys.PublicKey] | None = None,
) -> Verification:
    """Check a code: its signature (public keys only, offline), its validity on `today`, and —
    with `registry` — whether the registry has cancelled, replaced or moved the certificate."""
    code = code_from_input(text)
    malformed = Verification(Outcome.MALFORMED, _("这不是本系统的电子证照码，请检查是否复制完整。"))
    parts = code.split(".")
    if len(code) > MAX_CODE_LENGTH or len(parts) != 3 or parts[0] != PREFIX:
        return malformed
    try:
        signature = _b64decode(parts[2])
        body = json.loads(_b64decode(parts[1]).decode("utf-8"))
        if not isinstance(body, dict):
            return malformed
        key_id = body.get("k")
        if not isinstance(key_id, str):
            return malformed
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return malformed
    keys = {**cert_keys.accepted_keys(), **(extra_keys or {})}
    key = keys.get(key_id)
    if key is None:
        return Verification(
            Outcome.UNKNOWN_KEY,
            _("签名所用的密钥不是本系统公布的密钥，证照不可信。"),
        )
    try:
        key.key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return Verification(Outcome.FORGED, _("签名与内容不符：证照内容被改动过，或是伪造的。"))
    try:
        fields = _parse_fields(body)
    except (KeyError, ValueError, TypeError):
        return malformed
    if registry:
        problem = registry_problem(fields, today=today)
        if problem is not None:
            return problem
    if today >= fields.expiry_date:
        return Verification(
            Outcome.EXPIRED,
            _("签名有效，但证件已于 %(day)s 到期，请持证人到县级残联换领新证。")
            % {"day": fields.expiry_date.isoformat()},
            fields,
            registry_checked=registry,
        )
    if registry:
        message = _("签名有效，已与残疾人登记库核对，证件有效。")
    else:
        message = _("签名有效，未能联网核对是否注销。")
    return Verification(Outcome.VALID, message, fields, registry_checked=registry)


def registry_problem(fields: CertificateFields, *, today: dt.date) -> Verification | None:
    """Why the registry says this certificate no longer stands (cancelled, holder dead, replaced by
    a newer certificate, moved away, unknown), or None. The reason given to the public is only
    whether it was cancelled, replaced or moved: never that the holder died."""
    person = Person.objects.filter(id_hash=fields.reference).first()
    if person is None:
        return Verification(
            Outcome.NOT_FOUND,
            _("签名有效，但残疾人登记库中查不到此证，请向发证的县级残联核实。"),
            fields,
            registry_checked=True,
        )
    status_in_force = person.status != Person.Status.NORMAL and (
        person.status_date is None or person.status_date <= today
    )
    if (status_in_force and person.status != Person.Status.MOVED) or _listed_dead(person, today):
        return Verification(
            Outcome.REVOKED, _("签名有效，但此证已注销，不再有效。"), fields, registry_checked=True
        )
    if status_in_force:
        return Verification(
            Outcome.MOVED,
            _("签名有效，但持证人已迁出忻州市，证件由迁入地管理，请向迁入地残联核验。"),
            fields,
            registry_checked=True,
        )
    current = (person.certificate_masked, person.category, person.grade, person.issue_date)
    if current != (fields.number_masked, fields.category, fields.grade, fields.issue_date):
        return Verification(
            Outcome.REVOKED,
            _("签名有效，但此证已换发新证，旧证不再有效，请出示新证。"),
            fields,
            registry_checked=True,
        )
    return None


def _listed_dead(person: Person, today: dt.date) -> bool:
    """A row for the person in the deaths list in force with a death date on or before today
    (RULES.md "dead on D"; the registry's own 死亡 status is checked with the other statuses)."""
    from huican.exchange.models import ListRecord
    from huican.exchange.snapshots import active_batch_ids

    batches = active_batch_ids("deaths", today)
    return ListRecord.objects.filter(
        batch_id__in=batches, kind="deaths", id_hash=person.id_hash, start_date__lte=today
    ).exists()


def verification_url(code: str, *, base: str = "") -> str:
    """The public verification page for `code`, absolute under `base` (settings
    HUICAN_PORTAL_BASE_URL, else the caller's, e.g. the request's host)."""
    base = (getattr(settings, "HUICAN_PORTAL_BASE_URL", "") or base).rstrip("/")
    return f"{base}{reverse('portal:cert_verify')}?c={code}"


def qr_svg(data: str, *, label: str) -> str:
    """The QR code of `data` as inline SVG, hidden from screen readers: the caller gives it a text
    alternative (`label` is its title for sighted users hovering it)."""
    import segno

    svg: str = segno.make_qr(data, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=label, svgclass="cert-qr__code", omitsize=True
    )
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@dataclass(frozen=True)
class CertificateView:
    """Everything the certificate page shows for its holder (or for staff printing it)."""

    fields: CertificateFields
    payload: str
    url: str
    qr: str
    renewal_date: dt.date
    status: Verification


def certificate_view(person: Person, *, base: str = "", today: dt.date) -> CertificateView:
    """The holder's electronic certificate: the code, its QR code (inline SVG), the disclosed fields,
    the date to renew by (the end of validity: a certificate is renewed on expiry, DOMAIN.md) and
    what a verifier would be told today."""
    payload = issue_payload(person)
    url = verification_url(payload, base=base)
    fields = fields_of(person)
    return CertificateView(
        fields=fields,
        payload=payload,
        url=url,
        qr=qr_svg(url, label=_("残疾人证电子证照二维码")),
        renewal_date=fields.expiry_date,
        status=verify(payload, today=today),
    )
