"""Low-code metadata of the Matter DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Matter",
    "model": "gov_services.Matter",
    "module": "Matters",
    "icon": "inventory",
    "natural_key": "implementation_code",
    "controller": "gov_services.gov_services.doctype.matter.controller.MatterController",
    "field_rules": {"read_only": ["published_guide"], "set_once": ["implementation_code"]},
}

ONLINE_LEVEL_CHANGE = {
    "name": "Online Level Change",
    "model": "gov_services.OnlineLevelChange",
    "module": "Matters",
    "icon": "trending_up",
    "controller": "gov_services.gov_services.doctype.matter.controller.OnlineLevelChangeController",
    # A request names the matter, the level wanted and why; the decision is the approvers' (its service).
    "field_rules": {
        "read_only": ["from_level", "status", "decided_by", "decided_at", "approval_document"],
        "set_once": ["matter", "from_level", "to_level", "reason"],
    },
}

ONLINE_LEVEL = {
    "name": "Online Level",
    "model": "gov_services.OnlineLevelRule",
    "module": "Matters",
    "icon": "stairs",
    "natural_key": "level",
    "controller": "gov_services.gov_services.doctype.matter.controller.OnlineLevelRuleController",
}
