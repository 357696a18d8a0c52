"""`python -m bot.cli`: the same as the `ptm-triage` command."""

import sys

from bot.cli.main import main

sys.exit(main())
