from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sendtrust.people"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # The register's own parts first, then every other app's subject_access.py.
        from sendtrust.people import erasure, subject_access  # noqa: F401

        autodiscover_modules("subject_access")
