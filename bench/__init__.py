"""`make bench`: the speed and memory measurements, kept outside the application package.

Nothing in `sendtrust` imports from here; the benches need the dev dependency group (pandas for
the comparator, the synthetic census writers), which a production install does not have.
Run it as `python -m bench` (see bench/core.py for the options).
"""
