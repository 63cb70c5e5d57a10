"""Reports to higher levels: the province's weekly report to the Ministry (issue 14)."""
