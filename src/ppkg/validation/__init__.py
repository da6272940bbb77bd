"""Validation: SHACL shapes run with pySHACL, checks the shapes cannot express (lint), and readable reports.

A whole graph is validated by :func:`ppkg.validation.shacl.validate_graph`; a contribution in the context of
the existing graph by :func:`ppkg.validation.context.validate_contribution`.
"""
