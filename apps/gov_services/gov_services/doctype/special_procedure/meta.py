"""Low-code metadata of the Special Procedure DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Special Procedure",
    "model": "gov_services.SpecialProcedure",
    "module": "Applications",
    "icon": "engineering",
    "controller": "gov_services.gov_services.doctype.special_procedure.controller.SpecialProcedureController",
    "field_rules": {
        "read_only": ["department", "started_at", "expected_end"],
        "set_once": ["application", "kind", "reason", "expected_days"],
    },
}
