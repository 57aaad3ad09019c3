"""Low-code metadata of the Staff DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Staff",
    "model": "gov_services.Staff",
    "module": "Organisation",
    "icon": "badge",
}
