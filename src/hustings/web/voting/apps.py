from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "hustings.web.voting"
    label = "voting"
    verbose_name = "Voting: roll, credentials, ballots, ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hustings.web.contests import followups
        from hustings.web.voting import (
            checks,  # noqa: F401 (registers the system check)
            closing,
        )

        # The lifecycle's steps ask for this work (contests.followups); without it they
        # refuse rather than, say, close a ballot without sealing the ledger.
        followups.register_voting(followups.VotingFollowups(
            opened=closing.opened,
            seal=closing.seal,
            count_and_store=closing.count_and_store,
            publish_files=closing.publish_files,
            going_back=closing.going_back,
        ))
