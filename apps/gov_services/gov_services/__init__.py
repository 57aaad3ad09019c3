"""The gov_services module (Frappe's module folder): one folder per DocType under doctype/."""
