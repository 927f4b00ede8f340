from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sendtrust.evaluation.frameworks import SHIPPED_DIR, FrameworkError, load_frameworks


class Command(BaseCommand):
    help = "Validate and load framework files (<slug>.v<version>.yaml); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(SHIPPED_DIR))

    def handle(self, directory, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            with transaction.atomic():
                results = load_frameworks(folder)
        except FrameworkError as e:
            raise CommandError(str(e)) from None
        for framework, created in results:
            state = "loaded" if created else "already loaded"
            self.stdout.write(f"{framework.source}: {framework.name} v{framework.version} {state}")
