"""The WSGI entry point: `gunicorn wsgi:app`, or `flask --app wsgi run` in development."""

from workflow import create_app
from workflow.identity.tokens import key_ring
from workflow.sealing import data_keys

app = create_app()
with app.app_context():
    key_ring()  # a production instance without signing keys refuses to start, here,
    data_keys()  # and so does one without data keys
