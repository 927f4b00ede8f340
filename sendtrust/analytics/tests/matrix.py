"""Who may reach each route of this area, read by sendtrust/access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. See sendtrust/evaluation/tests/matrix.py.
"""

ROUTES: dict = {}


def build_objects(cast):
    """Add the objects the rows above name to cast, and return it."""
    return cast


def post_data(cast, route, obj):
    return {}
