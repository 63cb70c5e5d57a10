"""Pieces of the delegations page (:mod:`dashboard.ui.views.delegations`)."""
