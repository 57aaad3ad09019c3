"""Low-code metadata of the Work Order DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Work Order",
    "model": "gov_services.WorkOrder",
    "module": "Service",
    "icon": "support_agent",
    "natural_key": "number",
    "naming_series": "GD.YYYY.MM.DD.#####",
    "masked_fields": {"id_number": "gov_services.gov_services.identifiers.mask_id_number"},
    "unmask_permission": "gov_services.view_id_number",
}
