from django.contrib import admin

from hustings.web.endorsements.models import Endorsement


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ["date", "endorser_name", "candidate", "publication", "preference_rank"]
    list_filter = ["contest", "candidate"]
    search_fields = ["endorser_name", "endorser_body", "quote"]
