"""Live evidence from the ehc app: indicators registered with evidence.register()."""
