"""Django finds an app's models here; each DocType keeps its own in gov_services/doctype/<name>/models.py."""
