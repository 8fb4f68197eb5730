"""The WSGI entry point: `gunicorn wsgi:app`, or `flask --app wsgi run` in development."""

from forms.sheet import form_languages, verification_url
from forms.signing import form_signer
from workflow import create_app
from workflow.identity.tokens import key_ring
from workflow.sealing import data_keys

app = create_app()
with app.app_context():
    key_ring()  # a production instance without signing keys refuses to start, here,
    data_keys()  # and so does one without data keys,
    form_signer()  # or without the certificate that signs forms,
    form_languages()  # or with forms in a language that has no labels,
    verification_url("")  # or, in production, without its public https address
