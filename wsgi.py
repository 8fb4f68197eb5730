"""The WSGI entry point: `homeward serve` serves it; `gunicorn wsgi:app` works too, but with
several worker processes only `homeward serve` adds up their request counts for /metrics."""

from workflow import create_app
from workflow.serving.server import check_ready

app = create_app()
check_ready(app)  # a production instance without its keys or certificate refuses to start here
