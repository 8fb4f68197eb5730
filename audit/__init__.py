"""The tamper-evident audit trail of every access to Homeward."""
