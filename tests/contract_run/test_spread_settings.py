"""How many processes scripts/contract-test spreads the run over (KUSTOM_CONTRACT_PROCESSES),
how the fuzzing cases are shared between them, and the pytest command it becomes."""

from __future__ import annotations

import pytest

from kustom_contract.command import Invocation, pytest_command
from kustom_contract.config import DEPTHS, RunConfig, default_processes
from kustom_contract.errors import SettingError


def test_one_process_per_core_by_default_one_when_asked() -> None:
    assert RunConfig.from_env({}).processes == default_processes() >= 1
    assert RunConfig.from_env({"KUSTOM_CONTRACT_PROCESSES": "1"}).processes == 1
    assert RunConfig.from_env({"KUSTOM_CONTRACT_PROCESSES": " 3 "}).processes == 3


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_number_of_processes_is_refused(value: str) -> None:
    with pytest.raises(SettingError, match="KUSTOM_CONTRACT_PROCESSES must be a whole number"):
        RunConfig.from_env({"KUSTOM_CONTRACT_PROCESSES": value})


@pytest.mark.parametrize("processes", [1, 2, 3, 4])
@pytest.mark.parametrize("depth", sorted(DEPTHS))
def test_the_shares_of_fuzzing_add_up_to_the_depths(depth: str, processes: int) -> None:
    config = RunConfig.from_env(
        {"KUSTOM_CONTRACT_DEPTH": depth, "KUSTOM_CONTRACT_PROCESSES": str(processes)}
    )
    shares = [config.fuzzing_share(index) for index in range(processes)]
    assert sum(shares) == DEPTHS[depth].fuzzing_cases
    assert max(shares) - min(shares) <= 1


def test_the_command_spreads_the_run_over_xdist_workers_unless_serial() -> None:
    invocation = Invocation(None, show_help=False, pytest_args=["-x"])
    spread = pytest_command(invocation, RunConfig.from_env({"KUSTOM_CONTRACT_PROCESSES": "2"}))
    assert spread[spread.index("-n") + 1] == "2"
    assert spread[spread.index("-p", spread.index("-n")) + 1] == "kustom_contract.spread"
    assert "--max-worker-restart" in spread
    assert spread[-1] == "-x"  # the user's arguments last: they may override
    serial = pytest_command(invocation, RunConfig.from_env({"KUSTOM_CONTRACT_PROCESSES": "1"}))
    assert "-n" not in serial
    assert "kustom_contract.spread" not in serial
