"""Screens pushed over the dashboard: who is in a place, and the roll call."""
