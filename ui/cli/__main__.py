"""``python -m ui.cli``: the same as the ``workstation`` command."""

import sys

from ui.cli.main import main

sys.exit(main())
