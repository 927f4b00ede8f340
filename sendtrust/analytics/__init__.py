"""Statistics for comparing schools (funnel plots, gaps) and disclosure control.

Pure functions with no Django dependency: ``stats`` and ``suppression``.
"""
