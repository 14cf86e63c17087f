"""``python -m tests.e2e.djrun FUNC JSON``: call tests.e2e.seed.FUNC(**JSON) under Django
and print its result as JSON on the last line. The e2e tests' way into the database the
workers use, without touching the test process's own connection."""

import json
import sys

import django

if __name__ == "__main__":
    django.setup()
    from tests.e2e import seed

    func, kwargs = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps(getattr(seed, func)(**kwargs)))
