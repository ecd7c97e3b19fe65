"""On PostgreSQL the database itself refuses UPDATE and DELETE on the ledger, the ballots
and the participations: not even raw SQL from another program can rewrite a cast. (SQLite
relies on the code never issuing them.) Also creates the rate-limit cache table that
django-ratelimit counts wrong security codes in (shared by every server process)."""

from django.core.management import call_command
from django.db import migrations

TABLES = ("voting_ledgerentry", "voting_ballot", "voting_participation")

FUNCTION = """
CREATE OR REPLACE FUNCTION hustings_voting_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # None: the % in RAISE is not a placeholder
        for t in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION hustings_voting_append_only();"
            )
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for t in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};")
        schema_editor.execute("DROP FUNCTION IF EXISTS hustings_voting_append_only();")


class Migration(migrations.Migration):
    dependencies = [("voting", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
