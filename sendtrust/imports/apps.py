from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "sendtrust.imports"
    label = "imports"
