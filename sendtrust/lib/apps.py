from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "sendtrust.lib"
    label = "lib"
