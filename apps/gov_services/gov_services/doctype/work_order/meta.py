"""Low-code metadata of the Work Order DocType (read by lowcode's registry; admin overrides layer over it)."""

MASKS = "gov_services.gov_services.identifiers."
CONTACT = "gov_services.view_contact"  # who calls or writes to the applicant sees phone and address in full

DOCTYPE = {
    "name": "Work Order",
    "model": "gov_services.WorkOrder",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Service",
    "icon": "support_agent",
    "natural_key": "number",
    "naming_series": "GD.YYYY.MM.DD.#####",
    "masked_fields": {
        "id_number": "gov_services.gov_services.identifiers.mask_id_number",
        "phone": {
            "mask": "gov_services.gov_services.identifiers.mask_phone",
            "permission": "gov_services.view_contact",
        },
    },
    "unmask_permission": "gov_services.view_id_number",
    "controller": "gov_services.gov_services.doctype.work_order.controller.WorkOrderController",
    # The revisit is the hotline's (S000 art. 10): its satisfaction is set by the revisit actions. The lead unit is
    # `department`, the co-units the child table `co_departments` (WorkOrderCoUnit, named by the hotline); the
    # controller holds the 12345 ticket, the return limit (deadline policy work_order_return) and the reply's
    # outcome (a result document, or a written explanation) — see controller.py and README.md.
    "field_rules": {
        "read_only": ["number"],
        "set_once": ["received_at", "source", "order_type"],
        # the hotline dispatches (首接负责制) and dates what it received; a unit returns an order, never moves it
        "write_roles": {
            "revisit_note": ["Hotline Agent"],
            "department": ["Hotline Agent"],
            "received_at": ["Hotline Agent"],
            "hotline_ticket_no": ["Hotline Agent"],  # what 12345 numbered the order it handed over
        },
    },
}
