"""Who is calling: passwords, signing keys, tokens and sessions."""
