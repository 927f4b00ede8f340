"""Views of the people app, one module per kind of page."""
