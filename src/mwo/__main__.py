"""`python -m mwo` is the `mwo` command."""

from mwo.cli import main

main()
