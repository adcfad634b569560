"""``python -m tendlc``: the command line."""

from .cli import main

main()
