"""Models of the ehc app (see ../shared/DESIGN.md, the practice layer)."""
