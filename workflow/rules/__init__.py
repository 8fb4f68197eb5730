"""The workflow as data: definitions, their validation, and what they say about a case."""
