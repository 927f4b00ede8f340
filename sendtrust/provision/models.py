"""Models of the provision app (see ../shared/DESIGN.md, the practice layer)."""
