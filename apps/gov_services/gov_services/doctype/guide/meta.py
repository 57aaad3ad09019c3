"""Low-code metadata of the Guide DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Guide",
    "model": "gov_services.Guide",
    "module": "Matters",
    "icon": "menu_book",
}
