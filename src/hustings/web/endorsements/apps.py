from django.apps import AppConfig


class EndorsementsConfig(AppConfig):
    name = "hustings.web.endorsements"
    label = "endorsements"
    verbose_name = "Endorsements"
