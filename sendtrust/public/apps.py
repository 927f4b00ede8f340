from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "sendtrust.public"
    label = "public"
