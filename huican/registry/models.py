"""Certified disabled persons (持证残疾人), their households and yearly survey records."""

from __future__ import annotations

import datetime as dt

from django.db import models

from huican.core.dates import add_years, age_on
from huican.core.idnumbers import CATEGORY_NAMES, GRADE_NAMES
from huican.regions.divisions import COUNTY_NAMES


class Person(models.Model):
    """A registry person and the certificate they hold (残疾人证).

    The ID number is stored encrypted (``id_number_encrypted``), found through its keyed hash
    (``id_hash``), and shown masked (``id_masked``) unless the viewer may see it in full.
    Birth date and sex are derived from the ID number.
    """

    class Status(models.TextChoices):
        NORMAL = "正常", "正常"
        CANCELLED = "注销", "注销"
        DEAD = "死亡", "死亡"
        MOVED = "迁出", "迁出"

    id_hash = models.CharField(max_length=32, unique=True)
    id_number_encrypted = models.TextField()
    id_masked = models.CharField(max_length=20)
    name = models.CharField(max_length=64, db_index=True)
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    category = models.PositiveSmallIntegerField()
    grade = models.PositiveSmallIntegerField()
    issue_date = models.DateField()
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="persons")
    county_code = models.CharField(max_length=6, db_index=True)
    township_code = models.CharField(max_length=9, blank=True, db_index=True)
    urban_rural = models.CharField(max_length=2)  # 城镇 / 农村
    household_number = models.CharField(max_length=64, db_index=True)
    relation = models.CharField(max_length=32, blank=True)
    phone_encrypted = models.TextField(blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    # Keyed hash of the phone's digits (``core.crypto.phone_index``): search by phone number.
    phone_hash = models.CharField(max_length=32, blank=True, db_index=True)
    status = models.CharField(max_length=2, choices=Status.choices, default=Status.NORMAL)
    status_date = models.DateField(null=True, blank=True)
    # Hash of the registry row this person was last imported from: a re-import of an unchanged
    # row is recognised without decrypting anything.
    row_fingerprint = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, "?")

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES.get(self.grade, "?")

    @property
    def expiry_date(self) -> dt.date:
        """A certificate is valid for 10 years (《残疾人证管理办法》第十九条)."""
        return add_years(self.issue_date, 10)

    @property
    def age(self) -> int:
        """Whole years today."""
        from django.utils import timezone

        return age_on(self.birth_date, timezone.localdate())

    @property
    def county_name(self) -> str:
        return COUNTY_NAMES.get(self.county_code, self.county_code)

    @property
    def certificate_masked(self) -> str:
        return f"{self.id_masked}{self.category}{self.grade}"


class Survey(models.Model):
    """One year's 持证残疾人基本状况调查 for a person."""

    # No index of its own: the unique (person, year) index below serves look-ups by person. No
    # foreign-key constraint in the database either: only an import writes survey rows, with the
    # person IDs it has just read from the registry in its own transaction, and persons are never
    # deleted (Django still cascades). PostgreSQL would check each of a city's five million rows
    # at the commit (13 s of a 65 s import at a million persons; docs/decisions.md).
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="surveys", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField()
    household_size = models.PositiveSmallIntegerField(null=True, blank=True)
    income = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    long_term_care = models.BooleanField(null=True, blank=True)
    rehab_need = models.BooleanField(null=True, blank=True)
    device_need = models.BooleanField(null=True, blank=True)
    renovation_need = models.BooleanField(null=True, blank=True)
    care_service_need = models.BooleanField(null=True, blank=True)
    employment = models.CharField(max_length=8, blank=True)
    # The import that wrote it. No constraint in the database (see exchange.ListRecord.batch): it
    # would be checked once per survey row at the import's commit.
    batch = models.ForeignKey(
        "exchange.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False
    )

    class Meta:
        ordering = ["person", "-year"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="one_survey_per_person_year")]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.year}"


class PersonChange(models.Model):
    """One change of a registry person made on the web (create, correction, certificate change),
    with its reason and the values before and after (phone numbers masked)."""

    class Kind(models.TextChoices):
        CREATE = "create", "新增人员"
        CORRECT = "correct", "更正个人信息"
        HOUSEHOLD = "household", "更正户籍信息"
        CERTIFICATE = "certificate", "证件变更"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.at:%Y-%m-%d}"


class PersonDocument(models.Model):
    """A scan or photo kept with a person's record (certificate, household register, death
    certificate…), stored encrypted (``core.filecrypt``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    change = models.ForeignKey(
        PersonChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.person_id} {self.original_name}"
