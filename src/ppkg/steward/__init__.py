"""The data steward's side: submissions (RDF files and CSV templates), checks in context, and the
contribution store that merges them atomically with provenance."""
