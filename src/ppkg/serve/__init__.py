"""Serving the graph beyond one process: a SPARQL endpoint (the Oxigraph server) and publishing to a Graph Store."""
