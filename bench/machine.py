"""A one-paragraph description of the machine and the versions a table was measured with."""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown RAM"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        return "no node"
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return f"node {done.stdout.strip()}"


def today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _load() -> str:
    """The 1-minute load average: other work on the machine inflates every absolute figure."""
    try:
        return f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load average unknown"


def describe() -> str:
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory()}, {_load()}; {platform.system()} "
        f"{platform.release()}; Python {sys.version.split()[0]}; {_node()}"
    )
