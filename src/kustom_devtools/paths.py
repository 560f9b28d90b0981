"""Where the repository's files are, found from this package (an editable install)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
