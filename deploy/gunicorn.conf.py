"""gunicorn settings for asia-beacon, for running gunicorn itself from a checkout:

    gunicorn -c deploy/gunicorn.conf.py

``asia-beacon serve`` uses the very same settings: both come from
``app.serving.gunicorn_settings``, which reads the ``ASIA_BEACON_*`` variables
(docs/deployment.md#the-server-process lists them and explains each choice).
"""

import os

from app.serving import gunicorn_settings

wsgi_app = "app:create_app()"
globals().update(gunicorn_settings(os.environ))
