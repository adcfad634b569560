"""README.md's examples, run as they are written.

Every fenced block of README.md is read (with phmdoctest's CommonMark reader) and carries a
label (``<!--phmdoctest-label NAME-->``, the first block excepted: the README opens with its
two set-up commands). Each label has a test here that runs the block, in a temporary
directory with the command line of this environment on PATH, and checks the exit status and
the output the README states. A block the suite does not run names why and what checks it
instead: the second set-up command (it runs this suite: .ci/run runs it), ``pip install``
from a package index (tests/test_install.py installs the same wheel offline) and the
benchmark scripts (minutes each; figures, not verdicts), the long fuzz run excepted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomllib backport
    import tomli as tomllib
from phmdoctest.direct import Marker, get_directives
from phmdoctest.tool import fenced_block_nodes

from _support.wheelhouse import offline_environment

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
# The examples see the command line of this environment first, and nothing of the caller's
# Python path but what tests run with (the checkout's package, when it is not installed).
ENVIRONMENT = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@dataclass(frozen=True)
class Block:
    label: str
    info: str
    text: str
    line: int

    def commands(self) -> list[str]:
        """The block's shell commands: continuation lines joined, blank lines left out."""
        joined = self.text.replace("\\\n", " ")
        return [line.strip() for line in joined.splitlines() if line.strip()]


def _blocks() -> dict[str, Block]:
    with README.open(encoding="utf-8") as handle:
        nodes = fenced_block_nodes(handle)
    found: dict[str, Block] = {}
    for node in nodes:
        labels = [d.value for d in get_directives(node) if d.type == Marker.LABEL]
        line = node.sourcepos[0][0]
        label = labels[0] if labels else ("setup" if line == 1 else f"unlabelled at line {line}")
        assert label not in found, f"two README blocks labelled {label!r}"
        found[label] = Block(label, node.info or "", node.literal, line)
    return found


BLOCKS = _blocks()
# Every label, and the test that runs its block.
TESTED = {
    "setup": "test_setup_*",
    "install": "test_install_lines_name_the_extras_of_the_project",
    "validate": "test_validate_commands",
    "validate-output": "test_validate_commands",
    "validate-python": "test_validate_from_python",
    "advice-python": "test_advice_from_python",
    "brand-memory": "test_brand_memory",
    "configuration": "test_validate_commands",
    "pre-commit": "test_pre_commit_configuration_names_the_hooks",
    "plugin-assert": "test_plugin_payload_assertion",
    "plugin-output": "test_plugin_output",
    "plugin-traffic": "test_plugin_traffic_check",
    "cassettes-replay": "test_cassette_replay",
    "cassettes-check": "test_cassettes_check_of_the_shipped_cassettes",
    "sandbox": "test_sandbox_and_conform",
    "sandbox-curl": "test_sandbox_curl",
    "strategies": "test_strategies_example",
    "benchmarks": "test_benchmark_scripts_exist_and_the_long_fuzz_run_starts",
}


def _run(command, cwd, env=None, timeout=600):
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env or ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _python(source, cwd, *args, timeout=600):
    return subprocess.run(
        [sys.executable, *args],
        input=source if not args else None,
        cwd=cwd,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _pytest(test_file, cwd, *options):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, test_file],
        cwd=cwd,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _cassette(provider, name):
    from tendlc import cassettes

    return cassettes.read_cassette(cassettes.path(provider, name)).exchanges[0]


def test_every_block_of_the_readme_is_run_here():
    assert set(BLOCKS) == set(TESTED)
    names = {name for name in globals() if name.startswith("test_")}
    for label, test in TESTED.items():
        assert any(re.fullmatch(test.replace("*", ".*"), name) for name in names), label


# -- set-up -------------------------------------------------------------------------------

SETUP_FORMS = [
    r"python3 -m venv \.venv && \.venv/bin/pip install -q -e \. && \.venv/bin/tendlc examples",
    r'python3 -m venv \.venv && \.venv/bin/pip install -q -e "\.\[dev\]" && '
    r"\.venv/bin/python -m pytest -q -n auto",
]


def test_setup_commands_open_the_readme_and_ci_runs_the_second():
    block = BLOCKS["setup"]
    assert README.read_text(encoding="utf-8").startswith("```sh\n" + block.text + "```\n")
    commands = block.commands()
    assert len(commands) == 2
    for command, form in zip(commands, SETUP_FORMS, strict=True):
        assert re.fullmatch(form, command), command
    # .ci/run finds the test command in README.md by this pattern and runs it as it is
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (pattern,) = re.findall(r"grep -m1 -A0 '([^']+)' README\.md", ci)
    assert re.match(pattern, commands[1]) and not re.match(pattern, commands[0])


def _checkout_copy(target):
    """The checkout's files (tracked, and new ones not ignored), as a fresh clone has them."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        ignored = shutil.ignore_patterns(".venv", "build", "__pycache__", ".*_cache", ".git")
        shutil.copytree(ROOT, target, ignore=ignored, dirs_exist_ok=True)


@pytest.mark.slow
def test_setup_first_command_installs_and_validates_every_documented_example(tmp_path):
    # as written, with pip reaching no index: it installs from the local wheelhouse
    checkout = tmp_path / "tendlc"
    checkout.mkdir()
    _checkout_copy(checkout)
    isolated = {k: v for k, v in ENVIRONMENT.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = _run(BLOCKS["setup"].commands()[0], checkout, offline_environment(ROOT, isolated))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"\b\d+ documented example", done.stdout + done.stderr), done.stdout[-500:]


def test_install_lines_name_the_extras_of_the_project():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = set(project["optional-dependencies"])
    for command in BLOCKS["install"].commands():
        match = re.fullmatch(r'pip install (tendlc|"tendlc\[(\w+)\]")\s*(#.*)?', command)
        assert match, command
        assert match.group(2) is None or match.group(2) in extras, command


# -- validate -----------------------------------------------------------------------------


def _brand_without_stock_symbol() -> bytes:
    published = (EXAMPLES / "bandwidth" / "brands.create.request.xml").read_bytes()
    lines = published.replace(b"NON_PROFIT", b"PUBLIC_PROFIT").splitlines(keepends=True)
    return b"".join(line for line in lines if b"StockSymbol" not in line)


@pytest.fixture
def workspace(tmp_path):
    """The files the README's validate examples name, in an otherwise empty project."""
    (tmp_path / "brand.xml").write_bytes(_brand_without_stock_symbol())
    (tmp_path / "campaign.json").write_bytes(
        _cassette("vonage", "campaigns.create.201").request.body
    )
    reply = (EXAMPLES / "bandwidth" / "brands.get.response.200.xml").read_bytes()
    (tmp_path / "reply.xml").write_bytes(reply)
    payloads = tmp_path / "payloads"
    for name, data in {
        "brands/acme.xml": (EXAMPLES / "bandwidth" / "brands.create.request.xml").read_bytes(),
        "replies/brand-1.xml": reply,
        "vonage/campaigns.create.request.json": (tmp_path / "campaign.json").read_bytes(),
        "import.xml": (EXAMPLES / "bandwidth" / "campaignImports.create.request.xml").read_bytes(),
    }.items():
        (payloads / name).parent.mkdir(parents=True, exist_ok=True)
        (payloads / name).write_bytes(data)
    # the configuration the README shows, file mappings included
    (tmp_path / "pyproject.toml").write_text(BLOCKS["configuration"].text)
    return tmp_path


def test_validate_commands(workspace):
    import tendlc

    commands = BLOCKS["validate"].commands()
    assert len(commands) == 6
    done = [_run(command, workspace) for command in commands]
    statuses = [result.returncode for result in done]
    assert statuses == [0, 1, 0, 0, 0, 0], [(r.args[-1], r.stdout, r.stderr) for r in done]
    # tendlc operations: as many as the comment says
    (count,) = re.findall(r"the (\d+) operation ids", commands[0])
    assert int(count) == len(tendlc.operations())
    assert done[0].stdout.splitlines()[-1] == f"{count} operations"
    # the invalid brand: the output the README shows, line for line
    assert done[1].stdout == BLOCKS["validate-output"].text
    assert json.loads(done[2].stdout)["valid"] is True
    assert "reply.xml: valid (bandwidth.brands.get response 200;" in done[3].stdout
    assert "valid (bandwidth.brands.listDetails query;" in done[4].stdout
    # payloads/: one file mapped by the configuration, one named, one known by its root
    verdicts = {
        "payloads/brands/acme.xml": "bandwidth.brands.create request",
        "payloads/replies/brand-1.xml": "bandwidth.brands.get response 200",
        "payloads/vonage/campaigns.create.request.json": "vonage.campaigns.create request",
        "payloads/import.xml": "bandwidth.campaignImports.create request",
    }
    for name, what in verdicts.items():
        assert f"{name}: valid ({what};" in done[5].stdout, done[5].stdout


def test_a_brand_file_of_an_ordinary_name_is_refused_with_the_candidates(workspace):
    # what the README says about payloads/: a <Brand> alone does not tell create from update
    (workspace / "payloads" / "brand.xml").write_bytes(
        (EXAMPLES / "bandwidth" / "brands.create.request.xml").read_bytes()
    )
    done = _run("tendlc validate payloads/brand.xml", workspace)
    assert done.returncode == 2
    assert "bandwidth.brands.create request" in done.stderr
    assert "bandwidth.brands.update request" in done.stderr


def test_validate_from_python(tmp_path):
    done = _python(BLOCKS["validate-python"].text, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # every issue, then the one to fix first
    assert len(lines) >= 3
    assert any(
        line.startswith("/stock_symbol brand.public-profit-needs-stock-symbol") for line in lines
    )
    assert lines[-1].startswith("error")


def test_advice_from_python(workspace):
    done = _python(BLOCKS["advice-python"].text, workspace)
    assert done.returncode == 0, done.stderr
    rules = [line.split()[1] for line in done.stdout.splitlines()]
    assert rules and all(rule.startswith("advice.") for rule in rules), done.stdout
    assert "advice.sample-brand-name" in rules


def test_brand_memory(tmp_path):
    done = _python(BLOCKS["brand-memory"].text, tmp_path)
    assert done.returncode == 0, done.stderr
    # the brand the campaign names by id is the one the brand create made: its display name
    (named,) = [
        line for line in done.stdout.splitlines() if line.startswith("advice.sample-brand-name ")
    ]
    assert "Vonage" in named, done.stdout


def test_pre_commit_configuration_names_the_hooks():
    (repository,) = yaml.safe_load(BLOCKS["pre-commit"].text)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in repository["hooks"]] == [hook["id"] for hook in hooks]


# -- the pytest plugin --------------------------------------------------------------------


def test_plugin_payload_assertion(tmp_path):
    (tmp_path / "test_payload.py").write_text(BLOCKS["plugin-assert"].text)
    done = _pytest("test_payload.py", tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout


PLUGIN_OUTPUT_TEST = """
import httpx

ANSWER = {answer!r}


def test_import():
    answer = httpx.Response(201, headers={{"Content-Type": "application/xml"}}, content=ANSWER)
    client = httpx.Client(transport=httpx.MockTransport(lambda request: answer))
    client.post(
        "https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc/campaigns/imports",
        content=b"<ImportedCampaign><CampaignId>C123456789012345</CampaignId></ImportedCampaign>",
        headers={{"Content-Type": "application/xml"}},
    )
"""


def test_plugin_output(tmp_path):
    answer = _cassette("bandwidth", "campaignImports.create.201").response.body
    (tmp_path / "test_import.py").write_text(PLUGIN_OUTPUT_TEST.format(answer=answer))
    done = _pytest("test_import.py", tmp_path, "--tendlc-check")
    assert done.returncode == 1, done.stdout
    for line in BLOCKS["plugin-output"].text.splitlines():
        assert line in done.stdout.splitlines(), (line, done.stdout)


MY_CLIENT = """
import httpx
import pytest

from tendlc import cassettes

LINK = cassettes.read_cassette(cassettes.path("vonage", "campaignNumbers.link.202")).exchanges[0]


class Client:
    # an integration's client; its HTTP answers come from the documented exchange
    def __init__(self):
        answer = httpx.Response(LINK.response.status, headers={"Content-Type": "application/json"},
                                content=LINK.response.body)
        self.http = httpx.Client(transport=httpx.MockTransport(lambda request: answer))

    def link_number(self, number):
        self.http.post(LINK.request.url, json={"country": "US", "number": number})


@pytest.fixture
def my_client():
    return Client()
"""


def test_plugin_traffic_check(tmp_path):
    (tmp_path / "conftest.py").write_text(MY_CLIENT)
    (tmp_path / "test_client.py").write_text(BLOCKS["plugin-traffic"].text)
    done = _pytest("test_client.py", tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout


# -- cassettes ----------------------------------------------------------------------------


def test_cassette_replay(tmp_path):
    (tmp_path / "test_replay.py").write_text(BLOCKS["cassettes-replay"].text)
    done = _pytest("test_replay.py", tmp_path, "--record-mode=none")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout


def test_cassettes_check_of_the_shipped_cassettes():
    (command,) = BLOCKS["cassettes-check"].commands()
    done = _run(command, ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert re.search(
        r"^\d+ cassette\(s\), \d+ interaction\(s\): 0 error\(s\), 0 warning\(s\), 0 unmatched, "
        r"0 unreadable$",
        done.stdout,
        re.M,
    ), done.stdout[-500:]


# -- sandbox, conform ---------------------------------------------------------------------

README_PORT = "8000"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """The README's sandbox, on a free loopback port instead of 8000."""
    first, *_ = BLOCKS["sandbox"].commands()
    command = first.split("#", 1)[0].strip()
    assert command == f"tendlc sandbox --port {README_PORT} &"
    port = str(_free_port())
    started = subprocess.Popen(
        ["bash", "-c", "exec " + command.removesuffix("&").replace(README_PORT, port)],
        cwd=tmp_path_factory.mktemp("sandbox"),
        env=ENVIRONMENT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                assert started.poll() is None, "the sandbox stopped"
                assert time.monotonic() < deadline, "the sandbox did not listen within 60 s"
                time.sleep(0.2)
        yield port
    finally:
        started.terminate()
        started.wait(timeout=30)


@pytest.mark.slow
def test_sandbox_and_conform(sandbox, tmp_path):
    _, *rest = BLOCKS["sandbox"].commands()
    script = "set -e\n" + "\n".join(rest).replace(f":{README_PORT}", f":{sandbox}")
    done = _run(script, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.count("; conforms") == 2, done.stdout[-1000:]
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["conform.html", "conform.json", "conform.md", "conform.xml"]


@pytest.mark.slow
def test_sandbox_curl(sandbox, tmp_path):
    if shutil.which("curl") is None:
        pytest.skip(
            "curl is missing: the README's sandbox requests are curl commands (.ci/run installs it)"
        )
    commands = [
        c.replace(f":{README_PORT}", f":{sandbox}") for c in BLOCKS["sandbox-curl"].commands()
    ]
    assert len(commands) == 3
    done = [_run(command, tmp_path) for command in commands]
    assert [result.returncode for result in done] == [0, 0, 0], [r.stderr for r in done]
    assert "<ResponseStatus>" in done[0].stdout or "404" in done[0].stdout, done[0].stdout
    last = json.loads(done[1].stdout)[-1]
    assert (last["status"], last["path"].rsplit("/", 1)[-1]) == (404, "B12345")
    assert json.loads(done[2].stdout)["reset"] is True


# -- strategies, benchmarks ---------------------------------------------------------------


@pytest.mark.slow
def test_strategies_example(tmp_path):
    text = BLOCKS["strategies"].text
    (name,) = re.findall(r"^# (test_\w+\.py)$", text, re.M)
    (tmp_path / name).write_text(text)
    done = _pytest(name, tmp_path)
    assert done.returncode == 0 and "3 passed" in done.stdout, done.stdout[-3000:]


@pytest.mark.slow
def test_benchmark_scripts_exist_and_the_long_fuzz_run_starts():
    commands = BLOCKS["benchmarks"].commands()
    fuzz = [c for c in commands if "--hypothesis-profile=fuzz" in c]
    assert len(fuzz) == 1
    for command in commands:
        if command not in fuzz:
            script = re.fullmatch(r"python (benchmarks/\w+\.py)\s+#.*", command)
            assert script and (ROOT / script.group(1)).is_file(), command
    # the long fuzz run, as written, up to its first test
    run = fuzz[0].split("#", 1)[0].split()
    assert run[:3] == ["python", "-m", "pytest"]
    listed = _python("", ROOT, *run[1:], "-p", "no:cacheprovider", "--collect-only", "-q")
    first = listed.stdout.splitlines()[0]
    assert first.startswith("tests/test_fuzz.py::"), listed.stdout[-1000:]
    arguments = [first if part == "tests/test_fuzz.py" else part for part in run[1:]]
    done = _python("", ROOT, *arguments, "-p", "no:cacheprovider")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:]
