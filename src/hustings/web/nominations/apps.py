from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "hustings.web.nominations"
    label = "nominations"
    verbose_name = "Nominations"

    def ready(self) -> None:
        from hustings.web.contests import followups
        from hustings.web.nominations import services

        # close_nominations fixes the ballot; going back before it unfixes it
        followups.register_nominations(followups.NominationFollowups(
            fix_ballot=services.fix_ballot, unfix_ballot=services.unfix_ballot))
