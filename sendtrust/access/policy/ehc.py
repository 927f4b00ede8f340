"""Policy rules of the ehc app: part of the one policy module (sendtrust.access.policy).

Build on decide()/visible_pupils() in sendtrust/access/policy/__init__.py: 404 for outsiders,
403 for members without the right, and a link counts only with a current membership behind it.
"""
