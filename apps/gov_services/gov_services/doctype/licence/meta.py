"""Low-code metadata of the Licence DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Licence",
    "model": "gov_services.Licence",
    "module": "Applications",
    "icon": "verified",
    "natural_key": "identifier",
    "masked_fields": {"holder_id_number": "gov_services.gov_services.identifiers.mask_id_number"},
    "unmask_permission": "gov_services.view_id_number",
}

LICENCE_TYPE = {
    "name": "Licence Type",
    "model": "gov_services.LicenceType",
    "module": "Matters",
    "icon": "category",
    "natural_key": "code",
}
