"""Atomic writes and the process umask (issue 13): ``analysis.io`` reads the umask without
setting it (other threads may be creating files), and a file it writes gets the umask in
effect when it is written. Each case runs in a fresh interpreter."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_io_reads_the_umask_without_changing_it(tmp_path: Path) -> None:
    # a spy on os.umask, installed before hipflex is imported: importing analysis.io and
    # writing a file must never set the process umask (other threads may be creating files)
    code = (
        "import os, sys\n"
        "calls = []\n"
        "real = os.umask\n"
        "os.umask = lambda m: (calls.append(m), real(m))[1]\n"
        "import analysis.io as io\n"
        "io.write_text_atomic(sys.argv[1], 'x')\n"
        "print(calls)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_atomic_files_get_the_umask_in_effect_when_written(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from analysis.io import write_text_atomic\n"
        "os.umask(0o027)\n"
        "p = write_text_atomic(sys.argv[1], 'x')\n"
        "print(oct(os.stat(p).st_mode & 0o777))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == oct(0o640)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o640
