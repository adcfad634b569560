"""The tendlc commands that serve on loopback, started as a user starts them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import tendlc


def proxy_command(
    upstream: str, tmp_path: Path, *options: str, environment: dict[str, str] | None = None
) -> tuple[Any, str, Path, Path]:
    """`tendlc proxy` in a subprocess on a free loopback port (``environment`` added to this
    process's); returns the process, its URL and the files its output goes to."""
    code = str(Path(tendlc.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        **(environment or {}),
        "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")])),
        "NO_COLOR": "1",
    }
    stdout, stderr = tmp_path / "proxy.stdout", tmp_path / "proxy.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tendlc",
                "proxy",
                "--upstream",
                upstream,
                "--port",
                "0",
                *options,
            ],
            stdout=out,
            stderr=err,
            env=env,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"tendlc proxy on (http://127\.0\.0\.1:\d+) ", stderr.read_text())
        if found:
            return process, found.group(1), stdout, stderr
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError(f"the proxy did not start: {stderr.read_text()}")
