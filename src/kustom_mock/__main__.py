import sys

from kustom_mock.cli import main

sys.exit(main())
