"""``python -m cf_vectorize``: the command line."""

from .cli import main

raise SystemExit(main())
