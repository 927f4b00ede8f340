from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "sendtrust.access"
    label = "access"
