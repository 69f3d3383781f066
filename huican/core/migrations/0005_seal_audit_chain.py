"""Seal the audit log's old plain SHA-256 chain under the MAC (huican.core.audit).

The old chain is checked first; every entry is then re-chained under the audit key and an
`audit.seal` entry records the result of that check (intact, or the first broken entry and why),
so a problem from before the upgrade stays on the record. See docs/operations.md ("Upgrades").
"""

from django.db import migrations


def seal(apps, schema_editor):
    from huican.core.audit import audit_key_fingerprint, seal_legacy_chain

    alias = schema_editor.connection.alias
    detail = seal_legacy_chain(apps.get_model("core", "AuditEntry"), using=alias)
    if detail:
        # The log is now under this audit key: a process with another one is refused (keycheck).
        apps.get_model("core", "KeyFingerprint").objects.using(alias).update_or_create(
            name="audit", defaults={"fingerprint": audit_key_fingerprint()}
        )
    if detail and not detail["legacy_intact"]:
        print(
            f"\n注意：升级前的审计日志哈希链在第 {detail['legacy_first_broken']} 条已不完整"
            f"（{detail['legacy_problem']}）；已记入 audit.seal 记录。"
        )


def unseal(apps, schema_editor):
    from huican.core.audit import unseal_to_legacy_chain

    alias = schema_editor.connection.alias
    unseal_to_legacy_chain(apps.get_model("core", "AuditEntry"), using=alias)
    apps.get_model("core", "KeyFingerprint").objects.using(alias).filter(name="audit").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_key_fingerprint"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
