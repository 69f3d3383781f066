"""The division tree: city → county → township → village (GB/T 2260 and statistical codes)."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县（市、区）"
        TOWNSHIP = "township", "乡镇（街道）"
        VILLAGE = "village", "村（社区）"

    code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    county_code = models.CharField(max_length=6, db_index=True)
    census_population = models.PositiveIntegerField(null=True, blank=True)
    synthetic = models.BooleanField(default=False, help_text="名称为虚拟数据")
    needs_naming = models.BooleanField(default=False, help_text="导入时新建，待命名")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def contains(self, code: str) -> bool:
        """True when `code` (any level) lies inside this region."""
        if self.level == self.Level.CITY:
            return code.startswith(self.code[:4])
        return code.startswith(self.code)
