"""Bulk intake: a repatriation operation's manifest, one row per child, checked row by row and
opened as cases in one transaction or not at all."""
