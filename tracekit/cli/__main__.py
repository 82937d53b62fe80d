"""`python -m tracekit.cli`: the `tracekit` command."""

from tracekit.cli import main

main()
