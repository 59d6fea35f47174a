"""Northstar's data side: contract, sample generator, ingest, SQL models, CLI. Never imports streamlit."""
