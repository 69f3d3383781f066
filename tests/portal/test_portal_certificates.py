"""Electronic disability certificates (电子证照): signed codes, their verification (online and
offline, page and command line), the public key page, and the staff page that shows them."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from huican.cli import main
from huican.core.models import AuditEntry
from huican.portal import cert_keys, certificates
from huican.portal.certificates import Outcome, issue_payload, mask_name, verify
from huican.registry.models import Person
from tests.factories import World, id_number_of, make_list_record, make_person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)


def _raw_key() -> str:
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()


def _body(code: str) -> dict:  # type: ignore[type-arg]
    part = code.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _with_body(code: str, **changes: object) -> str:
    """The code with fields of its body changed, the signature kept."""
    body = {**_body(code), **changes}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(text).rstrip(b"=").decode()
    prefix, _, signature = code.split(".")
    return f"{prefix}.{encoded}.{signature}"


@pytest.fixture
def person() -> Person:
    return make_person(
        name="张三明", issue_date=dt.date(2020, 3, 1), category=4, grade=2, phone="13812341234"
    )


def test_a_code_round_trips_and_discloses_only_the_masked_fields(person):
    code = issue_payload(person)
    assert code.startswith("HC1.") and len(code.split(".")) == 3
    result = verify(code, today=TODAY)
    assert result.outcome is Outcome.VALID and result.registry_checked
    assert result.label == "有效"
    fields = result.fields
    assert fields is not None
    assert (fields.name_masked, fields.category_name, fields.grade_name) == ("张*明", "肢体", "二级")
    assert (fields.issue_date, fields.expiry_date) == (dt.date(2020, 3, 1), dt.date(2030, 3, 1))
    assert fields.key_id == cert_keys.current_public_key().key_id


def test_the_payload_holds_no_id_number_birth_date_address_or_phone(person):
    code = issue_payload(person)
    number = id_number_of(person)
    body = _body(code)
    assert set(body) == {"v", "k", "n", "m", "c", "g", "i", "e", "r"}
    decoded = json.dumps(body, ensure_ascii=False)
    for secret in (number, number[6:14], number[:17], "张三明", "13812341234", "1234", person.region_id):
        assert secret not in decoded and secret not in code
    assert body["n"] == person.certificate_masked and "*" * 10 in body["n"]
    assert body["m"] == "张*明"


@pytest.mark.parametrize(
    ("name", "masked"), [("张三明", "张*明"), ("李四", "李*"), ("欧阳小明", "欧**明"), ("王", "王")]
)
def test_names_are_masked_to_their_first_and_last_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "change", [{"g": 1}, {"c": 1}, {"e": "2040-03-01"}, {"m": "李*明"}, {"n": "1409**********999941"}]
)
def test_a_changed_field_is_forged(person, change):
    result = verify(_with_body(issue_payload(person), **change), today=TODAY)
    assert result.outcome is Outcome.FORGED and result.fields is None
    assert result.label == "无效（签名不符）"


def test_a_changed_signature_or_version_is_refused(person):
    code = issue_payload(person)
    prefix, body, signature = code.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert verify(f"{prefix}.{body}.{flipped}", today=TODAY).outcome is Outcome.FORGED
    assert verify(f"HC2.{body}.{signature}", today=TODAY).outcome is Outcome.MALFORMED
    for junk in ("", "HC1.", "HC1.abc.def", "hello", "HC1.@@@.###", "x" * 5000):
        assert verify(junk, today=TODAY).outcome is Outcome.MALFORMED


def test_a_code_signed_by_another_key_is_not_accepted(person, settings):
    mine = issue_payload(person)
    settings.HUICAN_CERT_SIGNING_KEY = _raw_key()
    theirs = issue_payload(person)  # a code made by someone holding another key…
    settings.HUICAN_CERT_SIGNING_KEY = _raw_key()
    assert verify(theirs, today=TODAY).outcome is Outcome.UNKNOWN_KEY
    assert verify(mine, today=TODAY).outcome is Outcome.UNKNOWN_KEY
    # …and one that claims our key id but was signed with another key
    forged = _with_body(theirs, k=cert_keys.current_public_key().key_id)
    assert verify(forged, today=TODAY).outcome is Outcome.FORGED


def test_after_a_rotation_the_previous_key_still_verifies(person, settings):
    old_code = issue_payload(person)
    old_public = cert_keys.current_public_key()
    settings.HUICAN_CERT_SIGNING_KEY = _raw_key()
    assert verify(old_code, today=TODAY).outcome is Outcome.UNKNOWN_KEY
    settings.HUICAN_CERT_PREVIOUS_KEYS = old_public.pem
    assert verify(old_code, today=TODAY).outcome is Outcome.VALID
    settings.HUICAN_CERT_PREVIOUS_KEYS = base64.b64encode(old_public.raw).decode()  # raw base64 too
    assert verify(old_code, today=TODAY).outcome is Outcome.VALID
    new_code = issue_payload(person)
    assert _body(new_code)["k"] != _body(old_code)["k"]
    assert verify(new_code, today=TODAY).outcome is Outcome.VALID


def test_the_signing_key_may_be_pem_and_a_malformed_key_is_refused(person, settings):
    key = Ed25519PrivateKey.generate()
    settings.HUICAN_CERT_SIGNING_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert verify(issue_payload(person), today=TODAY).outcome is Outcome.VALID
    assert cert_keys.current_public_key().raw == key.public_key().public_bytes_raw()
    settings.HUICAN_CERT_SIGNING_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured, match="HUICAN_CERT_SIGNING_KEY"):
        issue_payload(person)


def test_expired_on_and_after_the_end_of_validity(person):
    code = issue_payload(person)
    assert verify(code, today=dt.date(2030, 2, 28)).outcome is Outcome.VALID
    result = verify(code, today=dt.date(2030, 3, 1))
    assert result.outcome is Outcome.EXPIRED and result.label == "已过期"
    assert "2030-03-01" in result.message
    assert verify(code, today=dt.date(2030, 3, 1), registry=False).outcome is Outcome.EXPIRED


@pytest.mark.parametrize("status", [Person.Status.CANCELLED, Person.Status.DEAD])
def test_revoked_when_the_registry_cancelled_it_or_the_holder_died(person, status):
    code = issue_payload(person)
    Person.objects.filter(pk=person.pk).update(status=status, status_date=dt.date(2024, 1, 1))
    result = verify(code, today=TODAY)
    assert result.outcome is Outcome.REVOKED and result.label == "已注销"
    assert "死" not in result.message  # the public is told it was cancelled, not why
    # a status dated in the future is not in force yet
    assert verify(code, today=dt.date(2023, 12, 31)).outcome is Outcome.VALID
    offline = verify(code, today=TODAY, registry=False)
    assert offline.outcome is Outcome.VALID and not offline.registry_checked
    assert offline.message == "签名有效，未能联网核对是否注销。"


def test_revoked_when_the_deaths_list_has_the_holder(person):
    code = issue_payload(person)
    make_list_record("deaths", person, start=dt.date(2025, 2, 1))
    assert verify(code, today=dt.date(2025, 1, 31)).outcome is Outcome.VALID
    assert verify(code, today=TODAY).outcome is Outcome.REVOKED


def test_revoked_when_replaced_by_a_newer_certificate(person):
    code = issue_payload(person)
    Person.objects.filter(pk=person.pk).update(grade=1)
    result = verify(code, today=TODAY)
    assert result.outcome is Outcome.REVOKED and "换发新证" in result.message
    Person.objects.filter(pk=person.pk).update(grade=2, issue_date=dt.date(2025, 1, 1))
    assert verify(code, today=TODAY).outcome is Outcome.REVOKED


def test_moved_away_and_unknown_to_the_registry(person):
    code = issue_payload(person)
    Person.objects.filter(pk=person.pk).update(status=Person.Status.MOVED, status_date=dt.date(2024, 1, 1))
    assert verify(code, today=TODAY).outcome is Outcome.MOVED
    Person.objects.filter(pk=person.pk).delete()
    assert verify(code, today=TODAY).outcome is Outcome.NOT_FOUND
    assert verify(code, today=TODAY, registry=False).outcome is Outcome.VALID


def test_a_scanned_url_verifies_like_the_code(person):
    code = issue_payload(person)
    url = certificates.verification_url(code, base="https://huican.example.cn")
    assert url == f"https://huican.example.cn/portal/cert/verify/?c={code}"
    assert verify(url, today=TODAY).outcome is Outcome.VALID
    assert verify(code[:40] + "\n  " + code[40:], today=TODAY).outcome is Outcome.VALID


def test_the_configured_base_url_wins(person, settings):
    settings.HUICAN_PORTAL_BASE_URL = "https://portal.xinzhou.example"
    code = issue_payload(person)
    assert certificates.verification_url(code, base="http://testserver").startswith(
        "https://portal.xinzhou.example/portal/cert/verify/?c=HC1."
    )


# --- the public pages -----------------------------------------------------------------------


def test_the_verify_page_shows_the_result_and_only_the_masked_fields(client: Client, person):
    code = issue_payload(person)
    page = client.get(reverse("portal:cert_verify"), {"c": code}).content.decode()
    assert "核验结果：<strong>有效</strong>" in page
    for shown in ("张*明", "肢体", "二级", "2030年3月1日"):
        assert shown in page
    number = id_number_of(person)
    for hidden in ("张三明", number, number[-4:], person.certificate_masked, "2020年3月1日", "138"):
        assert hidden not in page
    assert AuditEntry.objects.count() == 0  # public, nothing personal looked up for the asker


def test_the_verify_page_says_forged_revoked_and_expired_in_words(client: Client, person):
    code = issue_payload(person)
    url = reverse("portal:cert_verify")
    forged = client.get(url, {"c": _with_body(code, g=1)}).content.decode()
    assert "核验结果：<strong>无效（签名不符）</strong>" in forged and "张*明" not in forged
    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.CANCELLED, status_date=dt.date(2024, 1, 1)
    )
    assert "核验结果：<strong>已注销</strong>" in client.get(url, {"c": code}).content.decode()
    empty = client.get(url).content.decode()
    assert "核验结果：" not in empty and 'name="c"' in empty


def test_the_verify_page_says_expired(client: Client):
    old = make_person(name="李四", issue_date=dt.date(2010, 1, 1))
    page = client.get(reverse("portal:cert_verify"), {"c": issue_payload(old)}).content.decode()
    assert "核验结果：<strong>已过期</strong>" in page


def test_the_key_page_publishes_the_fingerprint_and_the_pem(client: Client, settings):
    current = cert_keys.current_public_key()
    old = Ed25519PrivateKey.generate().public_key()
    settings.HUICAN_CERT_PREVIOUS_KEYS = base64.b64encode(old.public_bytes_raw()).decode()
    page = client.get(reverse("portal:cert_key")).content.decode()
    assert current.fingerprint_grouped in page and current.key_id in page
    assert current.pem.strip().splitlines()[1] in page
    assert cert_keys.previous_public_keys()[0].fingerprint_grouped in page
    pem = client.get(reverse("portal:cert_key_pem"))
    assert pem["Content-Disposition"].startswith("attachment")
    keys = cert_keys.public_key_from_text(pem.content.decode())
    assert [k.public_bytes_raw() for k in keys] == [current.raw, old.public_bytes_raw()]


# --- the staff page ---------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    return World()


def test_staff_see_the_certificate_of_a_person_in_their_region_and_it_is_audited(client: Client, world):
    client.force_login(world.users["county"])
    response = client.get(reverse("portal:staff_cert", args=[world.alice.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<svg aria-hidden="true"' in page and 'role="img"' in page
    assert "/portal/cert/verify/?c=HC1." in page and "http://testserver/portal/" in page
    assert "换证日期：2030年1月15日" in page
    assert "今天核验的结果" in page
    entry = AuditEntry.objects.get(action="portal.certificate_view")
    assert entry.object_id == str(world.alice.pk) and entry.actor == world.users["county"]
    assert entry.region_code == world.alice.region_id
    # the code on the page verifies
    code = page.split("/portal/cert/verify/?c=")[1].split('"')[0]
    assert verify(code, today=TODAY).outcome is Outcome.VALID
    person_page = client.get(reverse("registry:person", args=[world.alice.pk])).content.decode()
    assert reverse("portal:staff_cert", args=[world.alice.pk]) in person_page


def test_staff_of_another_county_get_a_404_and_no_certificate(client: Client, world):
    client.force_login(world.users["county"])  # 忻府区
    response = client.get(reverse("portal:staff_cert", args=[world.dave.pk]))  # 原平市
    assert response.status_code == 404
    assert "HC1." not in response.content.decode()
    assert not AuditEntry.objects.filter(action="portal.certificate_view").exists()
    client.force_login(world.users["township"])  # 140902001: not carol's township
    assert client.get(reverse("portal:staff_cert", args=[world.carol.pk])).status_code == 404


def test_the_staff_page_needs_a_login(client: Client, world):
    response = client.get(reverse("portal:staff_cert", args=[world.alice.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_holder_page_renders_the_same_card(rf, person):
    from huican.portal.views_cert import certificate_page

    request = rf.get("/portal/cert/")
    request.COOKIES = {}
    page = certificate_page(request, person).content.decode()
    assert "我的残疾人证电子证照" in page and "张*明" in page and "<svg" in page


# --- the command line -------------------------------------------------------------------------


def test_cli_verify_exit_codes_and_output(person, capsys, tmp_path: Path):
    code = issue_payload(person)
    assert main(["cert", "verify", code]) == 0
    out = capsys.readouterr().out
    assert "核验结果：有效" in out and "张*明" in out

    assert main(["cert", "verify", code, "--offline", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "valid" and data["registry_checked"] is False
    assert data["message"] == "签名有效，未能联网核对是否注销。"
    assert data["certificate"]["name"] == "张*明" and "reference" not in json.dumps(data)

    assert main(["cert", "verify", _with_body(code, g=1)]) == 1
    assert "无效（签名不符）" in capsys.readouterr().out

    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.CANCELLED, status_date=dt.date(2024, 1, 1)
    )
    assert main(["cert", "verify", code, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "revoked"
    assert main(["cert", "verify", code, "--offline"]) == 0
    capsys.readouterr()

    with pytest.raises(SystemExit) as usage:
        main(["cert", "verify"])
    assert usage.value.code == 2
    assert main(["cert", "verify", code, "--public-key", str(tmp_path / "missing.pem")]) == 2


def test_cli_verify_expired_says_so(capsys):
    old = make_person(name="李四", issue_date=dt.date(2010, 1, 1))
    assert main(["cert", "verify", issue_payload(old), "--offline"]) == 1
    assert "核验结果：已过期" in capsys.readouterr().out


def test_cli_key_prints_the_fingerprint_and_a_verifier_can_use_the_pem(person, capsys, settings, tmp_path):
    assert main(["cert", "key"]) == 0
    out = capsys.readouterr().out
    current = cert_keys.current_public_key()
    assert current.fingerprint_grouped in out and "BEGIN PUBLIC KEY" in out
    pem = tmp_path / "key.pem"
    pem.write_text(out[out.index("-----BEGIN") :])
    code = issue_payload(person)
    settings.HUICAN_CERT_SIGNING_KEY = _raw_key()  # this machine no longer holds the key…
    assert main(["cert", "verify", code, "--offline"]) == 1
    assert "签名密钥不明" in capsys.readouterr().out
    assert main(["cert", "verify", code, "--offline", "--public-key", str(pem)]) == 0  # …the PEM suffices


def test_an_older_development_key_file_gets_a_signing_key(tmp_path: Path):
    from huican.core.devkeys import development_keys

    older = {"secret_key": "s", "data_key": "1:" + base64.b64encode(bytes(32)).decode(), "hmac_key": "h"}
    (tmp_path / "keys.json").write_text(json.dumps({**older, "audit_key": "a"}))
    keys = development_keys(tmp_path)
    assert len(base64.b64decode(keys["cert_signing_key"])) == 32
    assert development_keys(tmp_path)["cert_signing_key"] == keys["cert_signing_key"]  # made once
