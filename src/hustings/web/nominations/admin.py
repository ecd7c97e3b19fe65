from django.contrib import admin

from hustings.web.nominations.models import NominatingBody, Nomination


@admin.register(NominatingBody)
class NominatingBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contest", "affiliated_membership", "placeholder"]
    list_filter = ["contest", "kind", "placeholder"]
    search_fields = ["name"]
    filter_horizontal = ["officers"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """Read-only: nominations are made and withdrawn through the site, which checks the
    stage and writes the audit log."""

    list_display = ["body", "candidate", "made_at", "withdrawn_at"]
    list_filter = ["body__contest", "body__kind", "candidate"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
