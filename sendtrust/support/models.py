"""Models of the support app (see ../shared/DESIGN.md, the practice layer)."""
