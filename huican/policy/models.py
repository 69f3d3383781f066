"""Standards (标准参数): the dated amounts, thresholds and switches the rules read."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from huican.exchange.kinds import STANDARD_FIELDS_BY_NAME

# FORMATS.md defaults of the optional columns, from the one table of standard parameters.
DEFAULT_NEAR_POOR_MULTIPLE: Decimal = STANDARD_FIELDS_BY_NAME["near_poor_multiple"].default
DEFAULT_TOPUP_RATE: Decimal = STANDARD_FIELDS_BY_NAME["topup_rate"].default
DEFAULT_CHILD_REHAB_MAX_AGE: int = STANDARD_FIELDS_BY_NAME["child_rehab_max_age"].default


class Standard(models.Model):
    """One row of standards for a county (or the city-wide default) from an effective date.

    Blank optional columns are stored as their FORMATS.md defaults, never as the city's value.
    """

    region_code = models.CharField(max_length=6, db_index=True)
    effective_date = models.DateField()
    urban_dibao = models.DecimalField(max_digits=10, decimal_places=2)
    rural_dibao = models.DecimalField(max_digits=10, decimal_places=2)
    living_subsidy = models.DecimalField(max_digits=10, decimal_places=2)
    nursing_grade1 = models.DecimalField(max_digits=10, decimal_places=2)
    nursing_grade2 = models.DecimalField(max_digits=10, decimal_places=2)
    near_poor_multiple = models.DecimalField(
        max_digits=6, decimal_places=3, default=DEFAULT_NEAR_POOR_MULTIPLE
    )
    topup_rate = models.DecimalField(max_digits=6, decimal_places=4, default=DEFAULT_TOPUP_RATE)
    living_includes_near_poor = models.BooleanField(default=False)
    nursing_includes_grade34_intellectual_mental = models.BooleanField(default=False)
    child_rehab_max_age = models.PositiveSmallIntegerField(default=DEFAULT_CHILD_REHAB_MAX_AGE)
    batch = models.ForeignKey("exchange.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "effective_date"], name="one_standard_per_region_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} @ {self.effective_date}"
