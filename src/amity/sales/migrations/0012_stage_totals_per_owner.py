"""Kept column totals gain the owner, so filtered boards read them too (and are
rebuilt from the deals, since the existing rows have no owner)."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, Sum


def split_by_owner(apps: Any, schema_editor: Any) -> None:
    stage_total = apps.get_model("sales", "StageTotal")
    deal = apps.get_model("sales", "Deal")
    stage_total.objects.all().delete()
    rows = (
        deal.objects.filter(deleted_at__isnull=True)
        .values("workspace_id", "pipeline_id", "stage_id", "owner_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    stage_total.objects.bulk_create(
        (
            stage_total(
                workspace_id=row["workspace_id"],
                pipeline_id=row["pipeline_id"],
                stage_id=row["stage_id"],
                owner_key=row["owner_id"] or 0,
                currency=row["currency"],
                count=row["n"],
                amount=row["total"] or 0,
            )
            for row in rows.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_search_without_trigrams"),
        ("sales", "0011_lead_income_bracket"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="stagetotal",
            name="stagetotal_once",
        ),
        migrations.AddField(
            model_name="stagetotal",
            name="owner_key",
            field=models.IntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="stagetotal",
            constraint=models.UniqueConstraint(
                fields=("stage", "owner_key", "currency"), name="stagetotal_owner_once"
            ),
        ),
        # After the schema changes: on PostgreSQL an ALTER TABLE after these inserts would
        # meet their deferred foreign-key checks.
        migrations.RunPython(split_by_owner, migrations.RunPython.noop),
    ]
