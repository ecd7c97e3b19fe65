from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "hustings.web.contests"
    label = "contests"
    verbose_name = "Contests"
