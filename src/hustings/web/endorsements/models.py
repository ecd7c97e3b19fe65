"""Endorsements: who backs whom, where it was reported, in their words.

"Cruddas backs David Miliband" (politics.co.uk); "Community Union puts its support behind
him"; "Andy will get my second preference" (a stated preference rank).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hustings.web.contests.models import Candidate, Contest


class Endorsement(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="endorsements")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="endorsements")
    endorser_name = models.CharField("endorser", max_length=200)
    endorser_role = models.CharField("role", max_length=200, blank=True)
    endorser_body = models.CharField(
        "body", max_length=200, blank=True, help_text="Union, CLP, society..."
    )
    date = models.DateField(help_text="When the endorsement was made or reported.")
    date_is_month = models.BooleanField(
        default=False, help_text="The source gives only the month: show “June 2010”, not a day."
    )
    publication = models.CharField(max_length=200)
    source_url = models.URLField("source URL", blank=True, max_length=500)
    quote = models.TextField(blank=True)
    preference_rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="A stated preference (1 = first), when the endorser gives one.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "date_is_month", "id"]

    def __str__(self) -> str:
        return f"{self.endorser_name} backs {self.candidate.name}"

    @property
    def preference_label(self) -> str:
        if self.preference_rank is None:
            return ""
        n = self.preference_rank
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix} preference"
