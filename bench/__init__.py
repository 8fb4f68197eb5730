"""Homeward's benchmark: seed a large database, then time the API through the WSGI app."""
