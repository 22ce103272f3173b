"""The executable's entry point: `chronos ARGS…`; with no arguments (a double-click) it serves."""
import multiprocessing
import sys

from chronos.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # Windows: child processes of a frozen app re-enter here
    sys.exit(main(sys.argv[1:] or ["serve"]))
