"""Low-code metadata of the Handover DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Handover",
    "model": "gov_services.Handover",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Applications",
    "icon": "local_shipping",
    "natural_key": "number",
    "naming_series": "JJ.YYYY.MM.DD.#####",
    "controller": "gov_services.gov_services.doctype.handover.controller.HandoverController",
    # when the materials were received follows from the items (the cut-off runs from it): nobody types it
    "field_rules": {"read_only": ["number", "received_at"], "set_once": ["kind", "department"]},
}
