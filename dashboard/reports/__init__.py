"""Reports upward: the situation report (and, in time, the weekly report)."""
