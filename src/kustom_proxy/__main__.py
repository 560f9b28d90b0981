import sys

from kustom_proxy.cli import main

sys.exit(main())
