# Runs record whether they reconciled the work list or were a read-only view, the yearly lists
# that were missing, and (read-only runs) their own findings.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_needs_finding_codes"),
        ("registry", "0002_person_row_fingerprint"),
    ]

    operations = [
        migrations.AddField(
            model_name="findingrun",
            name="mode",
            field=models.CharField(
                choices=[("reconcile", "核对工作清单"), ("read_only", "只读查看")],
                default="reconcile",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="findingrun",
            name="missing_lists",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="RunFinding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        max_length=32,
                        choices=[
                            ("dibao_not_covered", "应保未保"),
                            ("living_subsidy_not_covered", "生活补贴应补未补"),
                            ("nursing_subsidy_not_covered", "护理补贴应补未补"),
                            ("paid_after_death", "死亡未停发"),
                            ("paid_while_ineligible", "不符合条件仍在发放"),
                            ("double_benefit", "重复享受"),
                            ("choose_higher", "择高待确认"),
                            ("medical_not_enrolled", "医保未参保"),
                            ("pension_not_enrolled", "养老保险未参保"),
                            ("child_not_enrolled", "适龄未入学"),
                            ("certificate_expired", "证件过期"),
                            ("name_mismatch", "姓名不一致"),
                            ("rehab_need_unserved", "康复需求未服务"),
                            ("device_need_unserved", "辅具需求未适配"),
                            ("care_need_unserved", "托养需求未服务"),
                            ("renovation_pending", "无障碍改造待实施"),
                            ("employment_aid", "就业援助对象"),
                            ("poverty_risk", "返贫致贫风险"),
                            ("severe_living_alone", "重度残疾人独居"),
                        ],
                    ),
                ),
                ("county_code", models.CharField(max_length=6)),
                ("township_code", models.CharField(blank=True, max_length=9)),
                ("detail", models.TextField()),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="registry.person"
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="matching.findingrun",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["run", "code"], name="matching_ru_run_id_code_idx"),
                    models.Index(fields=["run", "county_code"], name="matching_ru_run_id_county_idx"),
                    models.Index(fields=["run", "township_code"], name="matching_ru_run_id_town_idx"),
                ],
            },
        ),
    ]
