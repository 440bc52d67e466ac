"""The report's message catalogs: ``python -m pipeline.report.locale`` extracts the messages
from the report's code and templates and writes ``de/LC_MESSAGES/messages.po`` from the
translation table in `de_messages` (it fails, naming them, when a message has no
translation)."""
