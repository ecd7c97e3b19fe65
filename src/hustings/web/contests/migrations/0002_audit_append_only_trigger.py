"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit log, so not
even raw SQL or another program can rewrite history. (SQLite relies on the model layer.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hustings_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on contests_auditentry refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER contests_auditentry_append_only
    BEFORE UPDATE OR DELETE ON contests_auditentry
    FOR EACH ROW EXECUTE FUNCTION hustings_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS contests_auditentry_append_only ON contests_auditentry;
DROP FUNCTION IF EXISTS hustings_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # `%` in RAISE is not a placeholder


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("contests", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
