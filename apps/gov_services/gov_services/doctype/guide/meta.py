"""Low-code metadata of the Guide DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Guide",
    "model": "gov_services.Guide",
    "module": "Matters",
    "icon": "menu_book",
    "controller": "gov_services.gov_services.doctype.guide.controller.GuideController",
    # Versions and publishing are the guide services' (guide_new_version, guide_publish).
    "field_rules": {"read_only": ["status", "published_at"], "set_once": ["matter", "version"]},
}
