"""Low-code metadata of the Department DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Department",
    "model": "gov_services.Department",
    "module": "Organisation",
    "icon": "apartment",
    "natural_key": "name",
}
