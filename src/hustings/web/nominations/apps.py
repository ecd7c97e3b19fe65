from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "hustings.web.nominations"
    label = "nominations"
    verbose_name = "Nominations"
