"""The CLI run in a fresh child process, its peak memory measured."""

from __future__ import annotations

import subprocess
import sys

_CODE = ("import runpy, sys; sys.argv = ['notforsale', *sys.argv[1:]]\n"
         "try:\n    runpy.run_module('notforsale.cli', run_name='__main__')\n"
         "finally:\n    print('PEAK', [l.split()[1] for l in open('/proc/self/status')"
         " if l.startswith('VmHWM')][0], file=sys.stderr)")


def peak_mb(*args: str, timeout: float = 600) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``notforsale *args`` in a fresh child and return its peak RSS in MB: the kernel's
    high-water mark of the child's own memory (``VmHWM``; ``ru_maxrss`` keeps the parent's
    across exec, so a large test process would be measured instead)."""
    done = subprocess.run([sys.executable, "-c", _CODE, *args], capture_output=True,
                          text=True, timeout=timeout, check=False)
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    assert peak, done.stderr[-2000:]
    return int(peak[-1].split()[1]) / 1024, done
