"""Low-code metadata of the Evaluation DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Evaluation",
    "model": "gov_services.Evaluation",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Service",
    "icon": "reviews",
    "controller": "gov_services.gov_services.doctype.evaluation.controller.EvaluationController",
    "field_rules": {
        "read_only": ["department", "evaluated_at", "level_label", "poor"],
        "set_once": [
            "application",
            "work_order",
            "department",
            "level",
            "channel",
            "text",
            "reason",
            "evaluator_name",
            "evaluator_user",
            "evaluated_at",
        ],
    },
}

SCALE = {
    "name": "Evaluation Scale",
    "model": "gov_services.EvaluationScale",
    "module": "Service",
    "icon": "star_half",
    "natural_key": "name",
    "controller": "gov_services.gov_services.doctype.evaluation.controller.EvaluationScaleController",
}
