"""`python -m pipeline …`: the `plan` command without the console script (Windows, no make)."""
from .cli import main

main(prog_name="plan")
