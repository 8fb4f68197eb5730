"""`homeward backup` and `homeward restore`: the database and the documents in one sealed archive.

An archive is a stream of records, sealed in chunks under the backup key (`archive.py`): a header
line (format and schema revision), every table's rows as JSON lines with personal columns exactly
as stored, still sealed under the data keys (`rows.py`, `export.py`), every object of the document
store, already sealed, and a closing line with the counts. The data keys are never in it: without
the backup key the archive is opaque, and even with it no name, place or document can be read.
"""
