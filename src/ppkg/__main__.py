"""``python -m ppkg`` runs the command line."""

from ppkg.cli import main

main()
