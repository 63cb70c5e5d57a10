"""Reports upward: the situation report (sitrep/) and the weekly report to the Ministry (weekly, forwards)."""
