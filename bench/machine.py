"""The machine a benchmark ran on, printed beside its figures."""

import os
import platform


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
    except (OSError, StopIteration):
        pass
    u = platform.uname()
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{u.system} {u.release} {u.machine}; CPU {model}; {os.cpu_count()} cores; "
        f"{mem_gib:.1f} GiB; Python {platform.python_version()}"
    )
