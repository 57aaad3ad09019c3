"""Low-code metadata of the Licence DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Licence",
    "model": "gov_services.Licence",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Applications",
    "icon": "verified",
    "natural_key": "identifier",
    "masked_fields": {"holder_id_number": "gov_services.gov_services.identifiers.mask_id_number"},
    "unmask_permission": "gov_services.view_id_number",
    "controller": "gov_services.gov_services.doctype.licence.controller.LicenceController",
    # An issued licence is what its holder shows: who holds it, what it says and how long it is valid are
    # recorded once (a correction is a new licence, the old one voided).
    "field_rules": {
        "set_once": [
            "identifier",
            "licence_type",
            "name",
            "number",
            "holder_name",
            "holder_id_type",
            "holder_id_number",
            "issuer",
            "issued_on",
            "valid_from",
            "valid_to",
            "application",
        ],
    },
}

LICENCE_TYPE = {
    "name": "Licence Type",
    "model": "gov_services.LicenceType",
    "module": "Matters",
    "icon": "category",
    "natural_key": "code",
}
