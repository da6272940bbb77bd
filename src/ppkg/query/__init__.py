"""The query side: engines, the catalogue, parameters and names, results, safety, remote endpoints,
reasoning and ``describe``."""
