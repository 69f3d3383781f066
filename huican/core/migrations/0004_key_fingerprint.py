from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_table_copies"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyFingerprint",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=64)),
                ("recorded_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
