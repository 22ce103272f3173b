"""`python -m chronos` runs the `chronos` command."""
import sys

from chronos.cli import main

sys.exit(main())
