"""Low-code metadata of the Application DocType (read by lowcode's registry; admin overrides layer over it)."""

MASKS = "gov_services.gov_services.identifiers."
CONTACT = "gov_services.view_contact"  # who calls or writes to the applicant sees phone and address in full

DOCTYPE = {
    "name": "Application",
    "model": "gov_services.Application",
    "large": True,  # grows with the work: sorts and the default order served by indexes (lowcode.core.indexes)
    "module": "Applications",
    "icon": "assignment",
    "natural_key": "number",
    "naming_series": "BJ.YYYY.MM.DD.######",
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
        # the locker pickup code: in full for the issuing window only (lowcode.core.masking)
        "locker_code": {
            "mask": "gov_services.gov_services.identifiers.mask_locker_code",
            "permission": "gov_services.view_locker_code",
        },
    },
    "unmask_permission": "gov_services.view_id_number",
    # names searched through lowcode's n-gram index (a Chinese name has no words to cut at)
    "search_index": ["applicant_name", "contact_name"],
    # what workflow conditions may read beyond the fields
    "expression_properties": [
        "issues_licence",
        "has_licence",
        "handling_type",
        "joint_mode",
        "online_level",
        "online_clocks",
    ],
    "controller": "gov_services.gov_services.doctype.application.controller.ApplicationController",
    # Who may write what (lowcode.core.controller); the state and the fields transitions set are the workflow's.
    "field_rules": {
        "read_only": [
            "number",
            "guide",
            "department",
            "submitted_at",
            "accepted_at",
            "decided_at",
            "completed_at",
            "archived_at",
            "locker_code",  # generated when the result goes into the locker, never typed
            "locker_code_expires_at",
        ],
        "set_once": [
            "matter",
            "guide",
            "applicant_type",
            "applicant_name",
            "id_type",
            "id_number",
            "applicant_user",
            "channel",
            "submitted_at",
        ],
        # when the materials came is the window's record (a mail-in receipt), never the applicant's to state
        "write_roles": {"received_at": ["Window Clerk"]},
    },
}
