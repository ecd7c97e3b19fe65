"""Elections: every contest is put on an election of its own (same slug and title), then
the contest's ``election`` becomes required."""

import django.db.models.deletion
from django.db import migrations, models


def one_election_per_contest(apps, schema_editor):
    Contest = apps.get_model("contests", "Contest")
    Election = apps.get_model("contests", "Election")
    for contest in Contest.objects.all().order_by("id"):
        contest.election = Election.objects.create(slug=contest.slug, title=contest.title)
        contest.save(update_fields=["election"])


class Migration(migrations.Migration):

    dependencies = [
        ("contests", "0003_people_and_timetable"),
    ]

    operations = [
        migrations.CreateModel(
            name="Election",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("title", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["-created_at"]},
        ),
        migrations.AddField(
            model_name="contest",
            name="election",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="contests", to="contests.election"),
        ),
        migrations.RunPython(one_election_per_contest, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contest",
            name="election",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="contests", to="contests.election"),
        ),
        migrations.AddField(
            model_name="contest",
            name="ballot_order",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Where this contest comes on its election's ballot (0 first)."),
        ),
        migrations.AddField(
            model_name="contest",
            name="eligibility",
            field=models.CharField(
                blank=True, max_length=40,
                help_text="Blank: every voter on the election's roll. Else the roll mark a voter "
                "needs to vote in this contest (e.g. london)."),
        ),
    ]
