"""Duplicate children across scripts: the spelling rules (`spelling`), the pure judgement of two
children (`matching`), and the keyed digests a recorded child is found by (`keys`)."""
