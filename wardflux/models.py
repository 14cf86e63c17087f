"""WARD FLUX uses Django's own User; roles are groups (see roles.py)."""
