"""The bundle's entry script: PyInstaller needs a file, the console script names a function."""

import sys

from kviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
