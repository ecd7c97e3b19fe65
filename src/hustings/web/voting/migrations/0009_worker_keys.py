# The worker's ephemeral key and the box key sealed to it (issue 15: the box opens in a job).
# Numbered 0009: 0008 is the multi-contest election's; when both are merged this one's
# dependency becomes ("voting", "0008_...").

import django.db.models.deletion
from django.db import DatabaseError, migrations, models, transaction


def lz4_for_published_files(apps, schema_editor):
    """A published file's text is TOASTed: lz4 compresses the 170 MB ledger.json of a
    national contest several times faster than PostgreSQL's default pglz. PostgreSQL 14+
    built with lz4 only; elsewhere the default stays."""
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or conn.pg_version < 140000:
        return
    try:
        with transaction.atomic(using=conn.alias), conn.cursor() as cur:
            cur.execute("ALTER TABLE voting_publishedfile ALTER COLUMN content "
                        "SET COMPRESSION lz4")
    except DatabaseError:
        pass  # no lz4 in this server's build


def server_drawn_ballot_keys(apps, schema_editor):
    """The opened ballots' keys drawn by the server (gen_random_uuid(), built in since
    PostgreSQL 13, from its strong random source) when the box's COPY leaves them out:
    the opening process then only joins text (box._write_opened)."""
    conn = schema_editor.connection
    if conn.vendor == "postgresql" and conn.pg_version >= 130000:
        schema_editor.execute("ALTER TABLE voting_ballot ALTER COLUMN id SET DEFAULT "
                              "gen_random_uuid()")


class Migration(migrations.Migration):

    dependencies = [
        ('voting', '0008_election_roll'),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkerKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker_id', models.CharField(max_length=64, unique=True)),
                ('public_key', models.CharField(max_length=64)),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('seen_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='KeyHandover',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_key', models.CharField(max_length=64)),
                ('sealed', models.BinaryField()),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='voting.job')),
            ],
        ),
        migrations.RunPython(lz4_for_published_files, migrations.RunPython.noop),
        migrations.RunPython(server_drawn_ballot_keys, migrations.RunPython.noop),
    ]
