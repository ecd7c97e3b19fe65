from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "hustings.web.voting"
    label = "voting"
    verbose_name = "Voting: roll, credentials, ballots, ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hustings.web.voting import checks  # noqa: F401 (registers the system check)
