"""Streamlit UI: thin pages over the domain services."""
