"""Storm forecasts: one canonical model, parsers for each agency's format."""
