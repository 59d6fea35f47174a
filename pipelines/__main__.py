"""`python -m pipelines`: the command line (DESIGN §6)."""
from pipelines.cli import main

raise SystemExit(main())
