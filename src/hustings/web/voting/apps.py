from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "hustings.web.voting"
    label = "voting"
    verbose_name = "Voting: roll, credentials, ballots, ledger"
    default_auto_field = "django.db.models.BigAutoField"
