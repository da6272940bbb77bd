"""The RDF layer: namespaces, term conversion, strict file reading, the data directory, export.

Nothing here knows about queries, shapes or contributions; every other layer builds on it.
"""
