"""Example endpoints shipped with the repository: their data, schema and provenance."""
