"""Live evidence from the support app: indicators registered with evidence.register()."""
