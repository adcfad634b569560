"""Installing tendlc the way its users do: the wheel with no extras in an empty environment,
the wheel with every extra, and the pre-commit hooks run by pre-commit itself.

Packages come from a local wheelhouse (build/wheelhouse) packed from the distributions this
environment already has, never from a package index, so these tests stay on this machine.
"""

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from _support.wheelhouse import offline_environment

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "bandwidth" / "brands.create.request.xml"
HEAVY = ["pytest", "hypothesis", "vcr", "httpx", "starlette", "uvicorn", "schemathesis", "rich"]


# The new environments see only what is installed in them (not this checkout's path).
ISOLATED = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _offline(env=None):
    return offline_environment(ROOT, env or ISOLATED)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel of this checkout, built without reaching an index."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        env=_offline(),
    )
    (found,) = out.glob("tendlc-*.whl")
    return found


def _environment(where, requirement):
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", requirement], check=True, env=_offline()
    )
    return python


def _size(where):
    return sum(p.stat().st_size for p in where.rglob("*") if p.is_file())


def _import_time(python, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([str(python), "-c", "import tendlc"], check=True, env=ISOLATED)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.slow
def test_the_core_wheel_validates_and_imports_nothing_optional(wheel, tmp_path):
    core = _environment(tmp_path / "core", str(wheel))
    tendlc = core.parent / "tendlc"
    done = subprocess.run(
        [str(tendlc), "validate", "bandwidth.brands.create", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=ISOLATED,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
    examples = subprocess.run(
        [str(tendlc), "examples"], capture_output=True, text=True, env=ISOLATED
    )
    assert examples.returncode == 0, examples.stdout[-500:]
    loaded = subprocess.run(
        [
            str(core),
            "-c",
            "import sys, tendlc\n"
            "assert tendlc.validate('bandwidth.brands.create', open(sys.argv[1], 'rb').read())"
            ".valid\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))",
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=ISOLATED,
    )
    assert loaded.stdout.strip() == ""
    shipped = subprocess.run(
        [
            str(core),
            "-c",
            "from tendlc import cassettes\n"
            "path = cassettes.path('vonage', 'brands.create.201')\n"
            "print(path, len(cassettes.read_cassette(path).exchanges))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=ISOLATED,
    )
    assert "site-packages/tendlc/_data/cassettes/vonage/brands.create.201.yaml 1" in shipped.stdout
    for name in ("pytest", "hypothesis", "vcr", "httpx"):
        found = subprocess.run(
            [str(core), "-c", f"import {name}"], capture_output=True, env=ISOLATED
        )
        assert found.returncode != 0, f"{name} is installed with the core"
    # what needs an extra says which, in one line, never a traceback
    sandbox = subprocess.run([str(tendlc), "sandbox"], capture_output=True, text=True, env=ISOLATED)
    assert sandbox.returncode == 2
    assert sandbox.stderr.strip().splitlines() == [
        "tendlc: the tendlc sandbox needs starlette, uvicorn, httpx: pip install 'tendlc[sandbox]'"
    ]
    strategies = subprocess.run(
        [str(core), "-c", "import tendlc.strategies"], capture_output=True, text=True, env=ISOLATED
    )
    assert "pip install 'tendlc[strategies]'" in strategies.stderr.splitlines()[-1]

    full = _environment(tmp_path / "all", f"{wheel}[all]")
    core_size, full_size = _size(tmp_path / "core"), _size(tmp_path / "all")
    core_time, full_time = _import_time(core), _import_time(full)
    print(
        f"\ninstalled size: core {core_size / 1e6:.1f} MB, [all] {full_size / 1e6:.1f} MB; "
        f"import tendlc: core {core_time * 1000:.0f} ms, [all] {full_time * 1000:.0f} ms"
    )
    assert core_size < full_size


BAD_BRAND = EXAMPLE.read_bytes().replace(b"<Country>US</Country>", b"<Country>USA</Country>")


def _git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.slow
def test_the_pre_commit_hooks_block_a_bad_payload_with_the_field_named(tmp_path):
    if shutil.which("git") is None:
        pytest.fail("the pre-commit test needs git")
    repo = tmp_path / "project"
    (repo / "payloads").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "someone-elses"\n\n[tool.tendlc.files]\n'
        '"payloads/*.xml" = "bandwidth.brands.create"\n'
    )
    (repo / "payloads" / "good.xml").write_bytes(EXAMPLE.read_bytes())
    (repo / "payloads" / "bad.xml").write_bytes(BAD_BRAND)
    (repo / "package.json").write_text('{"name": "not a payload"}\n')
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    environment = _offline(
        {
            **ISOLATED,
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
    )
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "tendlc-validate"]
    blocked = subprocess.run(
        [*pre_commit, "--files", "payloads/bad.xml", "payloads/good.xml", "package.json"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "payloads/bad.xml: INVALID" in output
    assert "/Brand/Country" in output
    passed = subprocess.run(
        [*pre_commit, "--files", "payloads/good.xml", "package.json"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_the_cassettes_hook_refuses_an_unscrubbed_cassette(tmp_path):
    repo = tmp_path / "project"
    (repo / "tests" / "cassettes").mkdir(parents=True)
    shipped = ROOT / "cassettes" / "vonage" / "brands.get.200.yaml"
    clean = repo / "tests" / "cassettes" / "clean.yaml"
    clean.write_text(shipped.read_text())
    leaky = repo / "tests" / "cassettes" / "leaky.yaml"
    leaky.write_text(
        shipped.read_text().replace(
            "    headers:\n", "    headers:\n      Authorization:\n      - Basic YTpi\n", 1
        )
    )
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    environment = _offline({**ISOLATED, "PRE_COMMIT_HOME": str(tmp_path / "cache")})
    hook = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "tendlc-cassettes"]
    refused = subprocess.run(
        [*hook, "--files", str(leaky.relative_to(repo)), str(clean.relative_to(repo))],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "leaky.yaml#0: FAIL" in output and "Authorization" in output
    passed = subprocess.run(
        [*hook, "--files", str(clean.relative_to(repo))],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
