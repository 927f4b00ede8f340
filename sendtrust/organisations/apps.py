from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "sendtrust.organisations"
    label = "organisations"
