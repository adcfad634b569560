"""The ``tendlc`` command line (``tendlc --help``)."""

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
