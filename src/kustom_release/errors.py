"""The release tools' one exception root: every refusal and failure of scripts/regenerate and
scripts/publish is a ``ReleaseError``, its message one line for the user and its class the
exit code the script ends with."""

from __future__ import annotations


class ReleaseError(Exception):
    """A tool failed, or the repository is not in a state to release (exit 2)."""

    exit_code = 2


class Refused(ReleaseError):
    """The checks disagree: drift, the gate, the built wheels (exit 1)."""

    exit_code = 1
