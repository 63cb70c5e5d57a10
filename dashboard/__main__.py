"""Allow ``python -m dashboard``."""

from dashboard.cli import main

raise SystemExit(main())
