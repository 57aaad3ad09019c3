"""Low-code metadata of the Portal Account DocType."""

DOCTYPE = {
    "name": "Portal Account",
    "model": "gov_services.PortalAccount",
    "module": "Applications",
    "icon": "person",
    "natural_key": "id_number",
    "masked_fields": {"id_number": "gov_services.gov_services.identifiers.mask_id_number"},
    "unmask_permission": "gov_services.view_id_number",
    # who the account is never changes; a wrong registration is closed and made anew
    "field_rules": {"set_once": ["id_number", "id_type", "user", "account_type"]},
}
