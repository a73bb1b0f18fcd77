"""`python -m pipeline …`: the `plan` command without the console script (Windows, no make)."""
from .entry import main

main()
