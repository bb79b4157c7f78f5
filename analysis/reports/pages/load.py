"""How every page loads its data: :func:`load_or_sample`.

A report kernel is given the run's snapshot of the cleaned tables as its ``tables``
parameter and reads exactly those (:func:`analysis.dataset.load_dataset`, ``tables=``); a
notebook opened by hand reads its ``data_dir``, and the synthetic sample is made on first
use so the notebooks run on a fresh clone.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...dataset import Dataset, load_dataset
from ...sample import write_sample


def load_or_sample(
    data_dir: str | os.PathLike[str],
    *,
    tables: str | os.PathLike[str] | None = None,
) -> Dataset:
    """The data of a page: the cleaned tables at ``tables``, else the folder ``data_dir``.

    Parameters
    ----------
    data_dir : path
        The coach's data folder; a missing folder named ``sample`` is generated first
        (synthetic), so that the notebooks run on a fresh clone before any data exist.
    tables : path, optional
        A snapshot of cleaned tables (:func:`analysis.dataset.save_dataset`): a report
        kernel's ``tables`` parameter. When given, the folder is not read at all.

    Returns
    -------
    Dataset
        The clean tables.
    """
    if tables is not None:
        return load_dataset(data_dir, tables=tables)
    path = Path(data_dir)
    if not path.exists() and path.name == "sample":
        write_sample(path)
        print(f"generated the synthetic sample data set in {path}")
    return load_dataset(path)


__all__ = ["load_or_sample"]
