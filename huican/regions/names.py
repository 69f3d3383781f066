"""Region names by code, for papers and lists that show a region's name."""

from __future__ import annotations

from huican.regions.models import Region


def region_names(codes: set[str]) -> dict[str, str]:
    """code → name of the regions among `codes` (empty codes are skipped; unknown ones left out)."""
    return dict(Region.objects.filter(code__in={c for c in codes if c}).values_list("code", "name"))
