"""Presenting the graph: networkx views, explained similarity and gaps, plots and the static site."""
