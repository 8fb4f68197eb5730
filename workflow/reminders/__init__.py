"""Reminders by e-mail: an outbox written with each change, a sender that delivers it after the
change commits, and a daily digest. Messages carry case references and links, never a name."""
