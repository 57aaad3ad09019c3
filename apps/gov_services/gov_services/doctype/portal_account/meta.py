"""Low-code metadata of the Portal Account DocType."""

MASKS = "gov_services.gov_services.identifiers."
CONTACT = "gov_services.view_contact"  # who calls or writes to the applicant sees phone and address in full

DOCTYPE = {
    "name": "Portal Account",
    "model": "gov_services.PortalAccount",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Applications",
    "icon": "person",
    "natural_key": "id_number",
    "masked_fields": {
        "id_number": "gov_services.gov_services.identifiers.mask_id_number",
        "phone": {
            "mask": "gov_services.gov_services.identifiers.mask_phone",
            "permission": "gov_services.view_contact",
        },
        "address": {
            "mask": "gov_services.gov_services.identifiers.mask_address",
            "permission": "gov_services.view_contact",
        },
    },
    "unmask_permission": "gov_services.view_id_number",
    # who the account is never changes; a wrong registration is closed and made anew
    "field_rules": {"set_once": ["id_number", "id_type", "user", "account_type"]},
}
