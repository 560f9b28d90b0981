"""``python -m kustom_contract``: scripts/contract-test (kustom_contract/command.py)."""

import sys

from kustom_contract.command import main

sys.exit(main())
