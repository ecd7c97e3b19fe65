"""The roll belongs to the election: ``Voter.contest`` becomes ``Voter.election`` (each
contest's voters move to the election migration contests.0004 made for it), and voters get
roll ``marks`` for contests open to part of the roll (``Contest.eligibility``)."""

import django.db.models.deletion
from django.db import migrations, models


def voters_to_election(apps, schema_editor):
    Contest = apps.get_model("contests", "Contest")
    Voter = apps.get_model("voting", "Voter")
    for contest_id, election_id in Contest.objects.values_list("id", "election_id"):
        Voter.objects.filter(contest_id=contest_id).update(election_id=election_id)


def voters_to_contest(apps, schema_editor):
    Contest = apps.get_model("contests", "Contest")
    Voter = apps.get_model("voting", "Voter")
    for election_id, contest_id in Contest.objects.order_by("-id").values_list("election_id", "id"):
        Voter.objects.filter(election_id=election_id).update(contest_id=contest_id)


class Migration(migrations.Migration):

    dependencies = [
        ("contests", "0004_elections"),
        ("voting", "0007_national_scale"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="voter", name="voter_unique_reference"),
        migrations.AddField(
            model_name="voter",
            name="election",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="voters", to="contests.election"),
        ),
        migrations.AlterField(
            model_name="voter",
            name="contest",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="voters", to="contests.contest"),
        ),
        migrations.RunPython(voters_to_election, voters_to_contest),
        migrations.RemoveField(model_name="voter", name="contest"),
        migrations.AlterField(
            model_name="voter",
            name="election",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="voters", to="contests.election"),
        ),
        migrations.AddField(
            model_name="voter",
            name="marks",
            field=models.JSONField(default=list),
        ),
        migrations.AddConstraint(
            model_name="voter",
            constraint=models.UniqueConstraint(fields=("election", "reference"),
                                               name="voter_unique_reference"),
        ),
    ]
