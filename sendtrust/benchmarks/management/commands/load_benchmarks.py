"""manage.py load_benchmarks DIR: load the DfE files in DIR, each file all-or-nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sendtrust.analytics.figures.funnel import warm_national_cache
from sendtrust.benchmarks.loaders import LOADERS, SKIPS
from sendtrust.benchmarks.loaders.runner import Outcome, figure_indexes_deferred, load_file, plan


class Command(BaseCommand):
    help = "Load DfE benchmark files (SEN in England, EHC plans, LAIT, census, GIAS) from DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="TEXT",
            help="Load only files whose path contains TEXT (repeatable).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, directory: Path, only: list[str], quiet: bool, **options):
        self.verbosity = options["verbosity"]
        root = directory.resolve()
        if not root.is_dir():
            raise CommandError(f"{directory} is not a folder of DfE files")
        loaders, skipped, docs = plan(root, LOADERS, SKIPS)
        if only:
            loaders = [x for x in loaders if any(text in x.path for text in only)]
            skipped = [s for s in skipped if any(text in s[0] for text in only)]
        clock = time.perf_counter()
        with figure_indexes_deferred():  # into an empty table: indexes built once, after
            outcomes = self._run(root, loaders, quiet or not sys.stderr.isatty())
        for key, reason in skipped:
            self.stdout.write(f"skipped {key}: {reason}")
        if docs and not only:
            self.stdout.write(f"not loaded: {len(docs)} documentation file(s) (SOURCE.md etc.)")
        self._summary(outcomes, time.perf_counter() - clock)
        self.stdout.write(warm_national_cache())  # the shared cache, not the first visitor

    def _run(self, root: Path, loaders, no_bar: bool) -> list[Outcome]:
        outcomes = []
        sizes = {x.path: (root / x.path).stat().st_size for x in loaders}
        with tqdm(
            total=sum(sizes.values()), unit="B", unit_scale=True, disable=no_bar, leave=False
        ) as bar:
            for loader in loaders:
                bar.set_description(Path(loader.path).name)
                outcome = load_file(root, loader)
                outcomes.append(outcome)
                bar.update(sizes[loader.path])
                with tqdm.external_write_mode():
                    self.stdout.write(self._line(outcome))
        return outcomes

    def _line(self, outcome: Outcome) -> str:
        if outcome.status == "failed":
            return self.style.ERROR(f"FAILED  {outcome.message}")
        lines = [
            f"loaded  {outcome.key}: {outcome.rows_read:,} rows read, "
            f"{outcome.rows_loaded:,} stored, {outcome.seconds:.1f} s"
        ]
        lines += [self.style.WARNING(f"  warning: {w}") for w in outcome.warnings]
        if self.verbosity > 1:
            lines += [f"  note: {n}" for n in outcome.notes]
        return "\n".join(lines)

    def _summary(self, outcomes: list[Outcome], seconds: float) -> None:
        failed = [o for o in outcomes if o.status == "failed"]
        loaded = len(outcomes) - len(failed)
        warnings = sum(len(o.warnings) for o in outcomes)
        self.stdout.write(
            f"{loaded} file(s) loaded, {len(failed)} failed, {warnings} warning(s), "
            f"{sum(o.rows_loaded for o in outcomes):,} rows stored in {seconds:.1f} s"
        )
        if failed:
            raise CommandError("failed: " + "; ".join(o.key for o in failed))
