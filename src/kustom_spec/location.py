"""Where openapi.yaml is: inside the package when installed from the mock's wheel (its build
copies the spec in), else at the root of the repository, the one copy kept in git."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
EMBEDDED_SPEC_PATH = PACKAGE_DIR / "openapi.yaml"
DEFAULT_SPEC_PATH = (
    EMBEDDED_SPEC_PATH if EMBEDDED_SPEC_PATH.is_file() else REPO_ROOT / "openapi.yaml"
)
