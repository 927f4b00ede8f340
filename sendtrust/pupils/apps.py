from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "sendtrust.pupils"
    label = "pupils"
