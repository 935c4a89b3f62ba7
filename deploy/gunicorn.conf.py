"""gunicorn settings for asia-beacon, for running gunicorn itself from a checkout:

    gunicorn -c deploy/gunicorn.conf.py

``asia-beacon serve`` uses the very same settings: both come from
``app.serving.gunicorn_settings``, which reads the ``ASIA_BEACON_*`` variables
(docs/deployment.md#the-server-process lists them and explains each choice).
"""

import os

from app.config import ConfigurationError
from app.serving import gunicorn_settings, ready_to_serve, refuse_to_serve

wsgi_app = "app:create_app()"
try:
    globals().update(gunicorn_settings(os.environ))
    # the settings each worker's create_app() reads, checked here, before the port is bound
    ready_to_serve({})
except ConfigurationError as error:
    refuse_to_serve(error)
