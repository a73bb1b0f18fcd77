"""`python -m pipeline …`: the `plan` command without the console script (Windows, no make)."""
from .cli import main

import sys

sys.exit(main(prog_name="plan"))
