"""Low-code metadata of the Matter DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Matter",
    "model": "gov_services.Matter",
    "module": "Matters",
    "icon": "inventory",
    "natural_key": "implementation_code",
}

ONLINE_LEVEL_CHANGE = {
    "name": "Online Level Change",
    "model": "gov_services.OnlineLevelChange",
    "module": "Matters",
    "icon": "trending_up",
}
