"""Serving Homeward in production: the WSGI server, and request bodies read before any work."""
