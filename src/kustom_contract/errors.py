"""The contract run's one exception root for what the user must fix: ``ContractError``, its
message one line and its exit code 2 (scripts/contract-test, scripts/probe; pytest's usage
error inside a pytest session). A target that stops answering, or a bound spent, is no error to
fix but the end of the run: ``TargetStopped`` and ``DeadlinePassed`` are BaseExceptions of their
own (transport.py, watchdog.py), so that neither Hypothesis nor a check takes them for a
failure."""

from __future__ import annotations


class ContractError(Exception):
    exit_code = 2


class SettingError(ContractError):
    """A variable with a value the run cannot use; the message names it and what it may be."""


class TargetError(SettingError):
    """The environment names a target that cannot be used as it stands."""


class ConfigurationError(ContractError):
    """The command cannot start the run: a flag, a setting, or a target that does not answer;
    what is wrong and what to set, in one line."""
