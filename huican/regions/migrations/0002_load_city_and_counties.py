from django.db import migrations


def load(apps, schema_editor):
    from huican.regions.divisions import CITY_CODE, CITY_NAME, COUNTIES

    Region = apps.get_model("regions", "Region")
    city, _ = Region.objects.update_or_create(
        code=CITY_CODE, defaults={"name": CITY_NAME, "level": "city", "county_code": ""}
    )
    for code, name, population in COUNTIES:
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": "county",
                "parent": city,
                "county_code": code,
                "census_population": population,
            },
        )


def unload(apps, schema_editor):
    from huican.regions.divisions import CITY_CODE, COUNTIES

    Region = apps.get_model("regions", "Region")
    Region.objects.filter(code__in=[c for c, _, _ in COUNTIES]).delete()
    Region.objects.filter(code=CITY_CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
