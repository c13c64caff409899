"""Questions and records in and out of Kviz: GIFT, Moodle XML, Anki decks and CSV.

Every importer turns a file into topic documents in the bank's own YAML shape (validated by
kviz.bank.schema before anything is written), plus the list of what it had to skip; every
exporter reads a loaded Bank. Nothing here imports Qt.
"""
