import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Load what a first request would otherwise load: every view module (through the URLconf),
    jieba's dictionary and pypinyin's (the place picker), seconds of work. `minyi serve` runs
    gunicorn with --preload, so this happens once, before the workers are forked: no worker answers
    its first requests seconds late (or past gunicorn's timeout on a busy machine), and the workers
    share those pages of memory."""
    from django.db import connections
    from django.urls import get_resolver

    from minyi.analysis import text
    from minyi.org import names

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    text.warm_up()
    names.warm_up()
    connections.close_all()  # a forked worker must never share the master's database connection


_warm_up()
