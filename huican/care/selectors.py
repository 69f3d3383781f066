"""Reads of service records, scoped to the user in the query (``accounts.access``).

- Staff (市/县/乡镇) who may browse the registry see the persons of their region and every service
  record of those persons.
- A service organisation's staff (服务机构人员) see, inside their region, only the persons their
  organisation serves — with a service record of the organisation, or assigned to it by staff — and
  only their organisation's records. They never reach the registry search or its person page.
- Everyone else sees none. A person or record outside the scope is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from huican.accounts.access import can, region_prefix_for
from huican.accounts.models import Role
from huican.care.models import Assignment, RenovationProject, ServiceRecord
from huican.registry.models import Person
from huican.registry.selectors import person_scope_q, persons_for


def is_service_org(user: Any) -> bool:
    return getattr(user, "role", None) == Role.SERVICE_ORG


def organisation_of(user: Any) -> str:
    """The organisation a service organisation's account belongs to ("" for other roles)."""
    return str(getattr(user, "organisation", "") or "") if is_service_org(user) else ""


def _served_q(organisation: str) -> Q:
    """Persons served by `organisation`: a service record of it, or an assignment to it."""
    served = ServiceRecord.objects.filter(organisation=organisation).values("person_id")
    assigned = Assignment.objects.filter(organisation=organisation).values("person_id")
    return Q(pk__in=served) | Q(pk__in=assigned)


def care_persons_for(user: Any) -> QuerySet[Person]:
    """The persons whose services the user may see and record."""
    prefix = region_prefix_for(user)
    if prefix is None:
        return Person.objects.none()
    if not can(user, "record_services"):
        return Person.objects.none()
    if is_service_org(user):
        return Person.objects.filter(person_scope_q(prefix)).filter(_served_q(organisation_of(user)))
    return persons_for(user)


def access_care_person_by_id(user: Any, person_id: int) -> Person:
    """The person, if the user may see their services; otherwise Http404."""
    try:
        return care_persons_for(user).select_related("region").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该人员") from None


def services_for(user: Any) -> QuerySet[ServiceRecord]:
    """The service records the user may see (newest first)."""
    prefix = region_prefix_for(user)
    if prefix is None or not can(user, "record_services"):
        return ServiceRecord.objects.none()
    records = ServiceRecord.objects.filter(person__in=care_persons_for(user))
    if is_service_org(user):
        records = records.filter(organisation=organisation_of(user))
    return records.select_related("person")


def access_service_by_id(user: Any, record_id: int) -> ServiceRecord:
    try:
        return services_for(user).get(pk=record_id)
    except (ServiceRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该服务记录") from None


def renovations_for(user: Any) -> QuerySet[RenovationProject]:
    return RenovationProject.objects.filter(record__in=services_for(user)).select_related(
        "record", "record__person"
    )


def access_renovation_by_id(user: Any, project_id: int) -> RenovationProject:
    try:
        return renovations_for(user).get(pk=project_id)
    except (RenovationProject.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该改造项目") from None


def assignments_of(person: Person) -> QuerySet[Assignment]:
    return Assignment.objects.filter(person=person).order_by("organisation")


def version() -> tuple[Any, ...]:
    """What changes whenever a recorded service changes (for caches of computed figures)."""
    found = ServiceRecord.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return found["n"], found["m"]
