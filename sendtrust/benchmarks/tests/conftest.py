"""Benchmark test fixtures: the real DfE folder, loaded once per test session."""

from __future__ import annotations

import csv
import functools
import itertools
import shutil
from pathlib import Path

import pytest

from sendtrust.benchmarks.loaders import LOADERS


def require_data_dir(path: Path) -> Path:
    """The DfE data folder, or a test failure that says where the files are expected."""
    if not (path.is_dir() and any(path.iterdir())):
        pytest.fail(
            f"The DfE benchmark files were not found at {path}. The benchmarks tests load the "
            "real DfE data (data/real: SOURCE.md in each folder); put it there or set "
            "SENDTRUST_DATA_DIR to the folder that holds it.",
            pytrace=False,
        )
    return path


# data_dir, _session_load and loaded live in the root conftest.py: one load per test worker,
# shared by every app whose tests need the DfE figures.


@pytest.fixture
def loader_for():
    """The registered Loader for a path inside the data folder."""
    by_path = {loader.path: loader for loader in LOADERS}
    return by_path.__getitem__


@pytest.fixture
def copy_head(tmp_path, data_dir):
    """Copy the header and first rows of a real file to the same path under a temp folder.

    `edit(record_number, fields)` may return changed fields (record 1 is the header).
    Returns the temp folder, to load as a data folder.
    """

    def make(key: str, rows: int, edit=None, encoding: str = "utf-8-sig") -> Path:
        source, target = data_dir / key, tmp_path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            source.open(newline="", encoding=encoding) as inp,
            target.open("w", newline="", encoding=encoding) as out,
        ):
            writer = csv.writer(out)
            records = itertools.islice(csv.reader(inp), rows + 1)
            for number, fields in enumerate(records, start=1):
                writer.writerow((edit(number, fields) if edit else None) or fields)
        return tmp_path

    return make


@pytest.fixture
def copy_file(tmp_path, data_dir):
    """Copy a real file unchanged to the same path under a temp folder; returns the folder."""

    def make(key: str) -> Path:
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / key, tmp_path / key)
        return tmp_path

    return make


@pytest.fixture(scope="session")
def csv_rows(data_dir):
    """A real file's rows as dicts, read with the csv module independently of the loaders."""

    @functools.cache
    def read(key: str, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
        with (data_dir / key).open(newline="", encoding=encoding) as handle:
            return list(csv.DictReader(handle))

    return read
