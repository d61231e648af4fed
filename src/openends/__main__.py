"""``python -m openends``: the same command line as ``openends``."""

from openends.cli import main

if __name__ == "__main__":
    main()
