"""Low-code metadata of the Joint Review Opinion DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Joint Review Opinion",
    "model": "gov_services.JointReviewOpinion",
    "module": "Applications",
    "icon": "groups",
    "controller": "gov_services.gov_services.doctype.joint_review_opinion.controller.JointReviewOpinionController",
    "field_rules": {
        "read_only": [
            "application",
            "department",
            "lead_department",
            "mode",
            "round",
            "step",
            "review_days",
            "opened_at",
            "answered_at",
            "answered_by",
        ],
    },
}
