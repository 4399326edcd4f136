"""`python -m generator` is the `apigen` command."""

import sys

from .cli import main

sys.exit(main())
