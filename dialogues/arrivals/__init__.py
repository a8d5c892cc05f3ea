"""Arrivals: each coordinator is told who joined, and accepts, refuses or removes them."""
