"""Drop the trigram index: typos are matched through the one-letter-deletion column.

Word similarity over the trigram index cost up to 400 ms per query at 100k
records on PostgreSQL, and every hit it added beyond the deletion variants was
then refused by the one-edit scoring anyway.
"""

from django.db import migrations


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_search_index"),
    ]

    operations = [
        migrations.RunPython(
            _run("DROP INDEX IF EXISTS search_entry_trgm"),
            _run(
                "CREATE INDEX search_entry_trgm ON core_searchentry USING gin (document gin_trgm_ops)"
            ),
        ),
    ]
