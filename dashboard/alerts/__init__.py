"""CAP 1.2 storm alerts: messages, the Atom feed, the approval workflow."""
