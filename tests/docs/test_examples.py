"""Every Python and shell example of README.md and docs/*.md runs in a test, or its marker says
why not; this module checks that, and runs the examples whose marker names it.

How an example runs (the words after the comma in its marker):

- "from the repository root": the block as written, in bash with -euo pipefail, with no
  KUSTOM_ variable inherited. A mock it starts in the background (``scripts/mock ... &``) gets a
  free port in place of 4010 (``--port 0``, read from its ready line) and a temporary database,
  and the block waits until it listens; a proxy (``scripts/proxy ... &``) likewise, in place of
  4020; each is stopped when the block ends, and killed with the block's process group if the
  block times out. Reports go to a temporary folder (KUSTOM_REPORTS_DIR), not to the
  repository's reports/, and so do the files a block names there (``reports/x.har``). A block
  that runs more than exports and background servers must print something.
- "against the mock": a mock started by the test on a free port (tests/docs/conftest.py's
  ``mock_url``) stands in for http://127.0.0.1:4010.
- "each line serves until stopped": each line starts the mock (on a free port, nothing kept),
  which must print its ready line and exit 0 on SIGTERM.
- "against the mock standing in for the playground" (Python): run in this process with
  ``kustom_client.PLAYGROUND_BASE_URL`` pointed at a mock.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.docs.examples import Example, all_examples, examples_in, run_by

THIS = "tests/docs/test_examples.py"
FROM_ROOT = "from the repository root"
AGAINST_MOCK = "against the mock"
SERVES = "each line serves until stopped"
PLAYGROUND = "against the mock standing in for the playground"

# (runner, language, how) that some test runs; each runner parametrizes over exactly these.
SUPPORTED = {
    (THIS, "sh", FROM_ROOT),
    (THIS, "sh", AGAINST_MOCK),
    (THIS, "sh", SERVES),
    (THIS, "python", PLAYGROUND),
    ("tests/docs/test_client_doc.py", "python", ""),
    ("tests/docs/test_contract_tests_doc.py", "python", ""),
    ("tests/docs/test_publishing_doc.py", "python", PLAYGROUND),
    ("tests/docs/test_publishing_doc.py", "sh", ""),
    (
        "tests/plugin/test_from_the_wheels.py",
        "python",
        "twice in a row, in a fresh virtual environment with only the three wheels and pytest",
    ),
}
SHELLS = {"sh", "bash", "shell"}


def language(example: Example) -> str:
    return "sh" if example.language in SHELLS else example.language


def mine(how: str, lang: str) -> list[Example]:
    return [e for e in run_by(THIS) if e.how == how and language(e) == lang]


def ids(examples: list[Example]) -> list[str]:
    return [e.name for e in examples]


# --- every example is run or says why not ----------------------------------------------------


def test_the_pages_have_examples() -> None:
    found = all_examples()
    assert len(found) >= 20
    assert {language(e) for e in found} >= {"python", "sh"}


def test_every_example_is_run_or_says_why_not() -> None:
    unmarked = [e.name for e in all_examples() if e.runner is None and e.reason is None]
    assert not unmarked, (
        "each Python or shell block needs, on the line before it, "
        "<!-- runs in tests/docs/<module>.py[, how] --> or <!-- not run: reason -->: "
        + ", ".join(unmarked)
    )


def test_every_run_example_has_a_test_that_runs_it() -> None:
    unrun = [
        f"{e.name} ({e.runner}, {language(e)}, {e.how!r})"
        for e in all_examples()
        if e.runner is not None and (e.runner, language(e), e.how) not in SUPPORTED
    ]
    assert not unrun, "no test runs: " + ", ".join(unrun)
    assert all((REPO_ROOT / runner).is_file() for runner, _, _ in SUPPORTED)


def test_client_doc_examples_are_its_own() -> None:
    # test_client_doc.py runs with the environment docs/client.md exports: that page's only.
    assert {e.page for e in run_by("tests/docs/test_client_doc.py")} == {"docs/client.md"}
    assert {e.page for e in run_by("tests/docs/test_publishing_doc.py")} == {"docs/publishing.md"}


def test_an_unmarked_block_would_be_found() -> None:
    text = (
        "# Page\n\n```sh\nscripts/test\n```\n\n"
        "<!-- not run: too long -->\n```python\npass\n```\n\n"
        "<!-- runs in tests/docs/test_examples.py, against the mock -->\n```bash\ncurl x\n```\n"
    )
    first, second, third = examples_in(text, "page.md")
    assert (first.runner, first.reason, first.line) == (None, None, 3)
    assert second.reason == "too long"
    assert (third.runner, third.how, third.language) == (THIS, AGAINST_MOCK, "bash")


# --- running them ------------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
    return {**env, **extra}


def bash(code: str, env: dict[str, str], timeout: float = 180) -> str:
    """Run ``code`` in bash in a session of its own and return what it printed; on a timeout,
    and in any case once it ends, whatever it left running (a background mock) is killed with
    its whole process group, since a killed bash runs no EXIT trap."""
    process = subprocess.Popen(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", code],  # noqa: S607
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"timed out after {timeout:.0f}s: {stdout[-3000:]}{stderr[-3000:]}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stdout[-3000:] + stderr[-3000:]
    return stdout


def prints(code: str) -> bool:
    """Whether the block runs a command beyond setting up (an export, a background mock), and
    so should print something."""
    lines = [line.split("#")[0].strip() for line in code.splitlines()]
    return any(line and not line.startswith("export ") and not line.endswith("&") for line in lines)


BACKGROUND_SERVER = re.compile(r"^(scripts/(?P<server>mock|proxy)\b[^&#]*)&\s*(#.*)?$")
# The port each background server has on the pages, and the shell variable of the block that
# its free port is read into.
PORTS = {"mock": ("4010", "doc_mock_port"), "proxy": ("4020", "doc_proxy_port")}


def with_own_mocks(code: str, folder: Path) -> str:
    """The block with each background mock and proxy on a free port (``--port 0``, read from its
    ready line into $doc_mock_port or $doc_proxy_port, which stand in for 4010 and 4020), a mock
    with a temporary database, and every background job stopped at the end; the files it names
    under reports/ in KUSTOM_REPORTS_DIR.

    The block waits for each ready line itself, not for a time: the server writes into a FIFO
    that the block reads line by line (each kept in the server's log) until the line comes, or
    the server ends without it; the rest is copied to the log in the background. Polling the log
    file raced with its creation on a busy machine."""
    for port, variable in PORTS.values():
        code = code.replace(f"127.0.0.1:{port}", f"127.0.0.1:${variable}")
        code = code.replace(f"--port {port}", "--port 0")
    code = code.replace(" reports/", ' "$KUSTOM_REPORTS_DIR"/')
    lines = ["trap 'status=$?; jobs -p | xargs -r kill; wait; exit $status' EXIT"]
    for number, line in enumerate(code.splitlines()):
        started = BACKGROUND_SERVER.match(line)
        if not started:
            lines.append(line)
            continue
        server, variable = started["server"], PORTS[started["server"]][1]
        command = started[1].rstrip()
        if "--port" not in command:
            command += " --port 0"
        if server == "mock" and "--db" not in command:
            command += f" --db {shlex.quote(str(folder / f'mock-{number}.sqlite3'))}"
        log = shlex.quote(str(folder / f"{server}-{number}.log"))
        fifo = shlex.quote(str(folder / f"{server}-{number}.fifo"))
        lines += [
            f"mkfifo {fifo}",
            f"{command} >{fifo} 2>&1 &",
            f"exec {{doc_out}}<{fifo}",
            f"{variable}=",
            "while IFS= read -r doc_line <&$doc_out; do",
            f'  printf "%s\\n" "$doc_line" >>{log}',
            '  case $doc_line in *" listening on http://127.0.0.1:"*)',
            f"    {variable}=${{doc_line##*127.0.0.1:}}; {variable}=${{{variable}%%[!0-9]*}}; break;;",
            "  esac",
            "done",
            # In a subshell, so that $! stays the server's for the block (`proxy=$!`).
            f"(cat <&$doc_out >>{log} &)",
            f'[ -n "${variable}" ] || {{ cat {log} >&2; exit 1; }}',
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("example", mine(FROM_ROOT, "sh"), ids=ids(mine(FROM_ROOT, "sh")))
def test_shell_example_runs_from_the_root(example: Example, tmp_path: Path) -> None:
    code = with_own_mocks(example.code, tmp_path)
    printed = bash(code, clean_env(KUSTOM_REPORTS_DIR=str(tmp_path / "reports")))
    if prints(example.code):
        assert printed.strip(), "the example printed nothing"


@pytest.mark.parametrize("example", mine(AGAINST_MOCK, "sh"), ids=ids(mine(AGAINST_MOCK, "sh")))
def test_shell_example_runs_against_the_mock(example: Example, mock_url: str) -> None:
    assert "http://127.0.0.1:4010" in example.code
    printed = bash(example.code.replace("http://127.0.0.1:4010", mock_url), clean_env())
    if prints(example.code):
        assert printed.strip(), "the example printed nothing"


@pytest.mark.parametrize("example", mine(SERVES, "sh"), ids=ids(mine(SERVES, "sh")))
def test_each_line_serves_until_stopped(example: Example) -> None:
    lines = [line.split(" #")[0].strip() for line in example.code.splitlines()]
    commands = [shlex.split(line) for line in lines if line and not line.startswith("#")]
    assert commands
    for command in commands:
        # running_mock adds --host 127.0.0.1 --port 0 --db :memory: after the line's own flags.
        with running_mock(launcher=command, cwd=REPO_ROOT) as mock:
            # It serves: an unknown path gets the mock's 404, not a refused connection.
            assert httpx.get(mock.base_url, timeout=10).status_code == 404
        assert mock.process.returncode == 0, mock.log()[-2000:]


@pytest.mark.parametrize("example", mine(PLAYGROUND, "python"), ids=ids(mine(PLAYGROUND, "python")))
def test_python_example_runs_against_the_mock(
    example: Example, run_on_the_mock: Callable[[Example], None], capsys: pytest.CaptureFixture[str]
) -> None:
    run_on_the_mock(example)
    if "print(" in example.code:
        assert capsys.readouterr().out.strip(), "the example printed nothing"


def test_a_block_that_times_out_leaves_nothing_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    code = f"trap 'kill $!' EXIT\nsleep 300 &\necho $! > {pid_file}\nsleep 300\n"
    with pytest.raises(pytest.fail.Exception, match="timed out"):
        bash(code, clean_env(), timeout=1)
    pid = int(pid_file.read_text())
    # Killed with bash's process group, though bash itself died without running its trap.
    for _ in range(600):  # killed at once; a busy machine may take a while to reap it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"the background process {pid} is still running")
