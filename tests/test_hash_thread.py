"""load_dataset hashes large inputs on a thread beside the clean, small ones on the spot.

Either way the dataset and its fingerprint are the same
(:data:`analysis.dataset.HASH_ON_THREAD_BYTES`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from helpers import TODAY

import analysis as hf
from analysis import dataset


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "athletes.csv").write_text("athlete_id,name\nA1,Ada Okafor\n", encoding="utf-8")
    (tmp_path / "log.csv").write_text(
        "athlete,date,exercise,prescription\nAda Okafor,2026-03-02,A's,3x10\n", encoding="utf-8"
    )
    return tmp_path


def test_small_inputs_on_the_spot_large_on_a_thread_same_fingerprint(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    pools = []
    real = dataset.ThreadPoolExecutor

    def pool(n):
        pools.append(n)
        return real(n)

    monkeypatch.setattr(dataset, "ThreadPoolExecutor", pool)
    small = hf.load_dataset(root, today=TODAY)
    assert pools == []  # a few bytes: hashed on the spot
    monkeypatch.setattr(dataset, "HASH_ON_THREAD_BYTES", 1)
    large = hf.load_dataset(root, today=TODAY)
    assert pools == [1]
    assert small.fingerprint == large.fingerprint
    pd.testing.assert_frame_equal(small.log, large.log)


def test_a_hashing_failure_surfaces_as_on_a_thread(tmp_path, monkeypatch):
    root = _folder(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("disk went away")

    from analysis import fingerprint

    monkeypatch.setattr(fingerprint, "fingerprint", broken)
    for threshold in (1, dataset.HASH_ON_THREAD_BYTES):
        monkeypatch.setattr(dataset, "HASH_ON_THREAD_BYTES", threshold)
        try:
            hf.load_dataset(root, today=TODAY)
        except RuntimeError as exc:
            assert "disk went away" in str(exc)
        else:
            raise AssertionError("the hashing failure was swallowed")


def test_code_digest_lists_the_package_as_rglob_does():
    # the walk that skips __pycache__ and links lists the files rglob listed, in its order
    import os

    from analysis import fingerprint

    root = Path(fingerprint.__file__).resolve().parent
    by_rglob = [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
                if p.is_file() and p.suffix in fingerprint._CODE_SUFFIXES]  # fmt: skip
    walked = [os.path.join(*parts) for parts in fingerprint._package_files(str(root))]
    assert walked == by_rglob
    assert "fingerprint.py" in walked and len(walked) > 100
