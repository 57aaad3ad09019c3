"""Low-code metadata of the Evaluation DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Evaluation",
    "model": "gov_services.Evaluation",
    "module": "Service",
    "icon": "reviews",
}
