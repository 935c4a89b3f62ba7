"""gunicorn settings for asia-beacon, for running gunicorn itself from a checkout:

    gunicorn -c deploy/gunicorn.conf.py

``asia-beacon serve`` uses the very same settings: both come from
``app.serving.gunicorn_settings``, which reads the ``ASIA_BEACON_*`` variables
(docs/deployment.md#the-server-process lists them and explains each choice).
"""

import os

from app.config import ConfigurationError
from app.serving import application_logging, gunicorn_settings, ready_to_serve, refuse_to_serve

try:
    globals().update(gunicorn_settings(os.environ))
    # each worker's application, without its own request line where the access log writes one
    wsgi_app = f"app:create_app({application_logging(globals())!r})"
    # the settings each worker's create_app() reads, checked here, before the port is bound
    ready_to_serve({})
except ConfigurationError as error:
    refuse_to_serve(error)
