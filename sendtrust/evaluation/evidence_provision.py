"""Live evidence from the provision app: indicators registered with evidence.register()."""
