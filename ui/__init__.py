"""Shared view code for the pages: cached readers, formatting."""
