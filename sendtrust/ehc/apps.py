from django.apps import AppConfig


class EhcConfig(AppConfig):
    name = "sendtrust.ehc"
