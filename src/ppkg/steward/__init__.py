"""The data steward's side: submissions (RDF files and CSV templates), checks in context (shapes, conflicts
with single-valued facts, corrections), and the contribution store that merges them atomically with
provenance."""
