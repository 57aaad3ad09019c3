"""gov_services hooks, read by lowcode (Frappe's hooks.py): Django apps, fixtures, schedules, events."""

from django.utils.translation import gettext_lazy as _

app_name = "gov_services"
app_title = "政务服务"
app_publisher = "gov_services contributors"
app_description = "Government e-services for Chinese administrative service centres"

django_apps = ["gov_services"]

# Synced by `bench sync-fixtures` (and `bench migrate`), in this order, idempotent by natural key. Print formats
# come before the workflows whose steps print them, workflows before the deadline policies that follow them.
fixtures = [
    *("Role", "Letter Head", "Print Format", "Workflow", "Working Calendar", "Deadline Policy", "Web Form"),
    "Evaluation Scale",
    "Online Level",  # after the deadline policies its rungs name
]

# Modules whose @whitelist functions answer /api/method/<path>; imported once at start-up, never on lookup.
api_methods: list[str] = ["gov_services.gov_services.doctype.work_order.api"]

scheduler_events: dict[str, list[str]] = {}

# The portal's public pages (home, guide list, guide pages) are cached until something they show is written:
# inside the writing transaction (validate, on_trash) and again once it commits (on_change, after_delete), so
# that neither a test's rolled-back data nor a page rendered while the write was open is served afterwards.
_portal_shows = {
    "validate": ["lowcode.portal.cache.changed"],
    "on_change": ["lowcode.portal.cache.changed"],
    "on_trash": ["lowcode.portal.cache.changed"],
    "after_delete": ["lowcode.portal.cache.changed"],
}
doc_events: dict[str, dict[str, list[str]]] = {
    "Matter": _portal_shows,
    "Guide": _portal_shows,
    "Department": _portal_shows,
    "Licence Type": _portal_shows,
    "Web Form": _portal_shows,
    "Online Level": _portal_shows,  # whether a guide offers the online application
}

# Record scope (Frappe's permission_query_conditions): called as f(user, ptype) -> Q | None.
permission_query_conditions = {
    "Application": "gov_services.permissions.application_conditions",
    "Work Order": "gov_services.permissions.work_order_conditions",
    "Evaluation": "gov_services.permissions.evaluation_conditions",
    "Handover": "gov_services.permissions.handover_conditions",
    "Special Procedure": "gov_services.permissions.handover_conditions",
    "Joint Review Opinion": "gov_services.permissions.joint_review_conditions",
    "Licence": "gov_services.permissions.licence_conditions",
    "Matter": "gov_services.permissions.public_read_department_write",
    "Knowledge Article": "gov_services.permissions.public_read_department_write",
    "Guide": "gov_services.permissions.guide_conditions",
    "Online Level Change": "gov_services.permissions.online_level_change_conditions",
    "Deadline": "gov_services.permissions.deadline_conditions",
    "Supervision Notice": "gov_services.permissions.deadline_conditions",
    "Portal Account": "gov_services.permissions.portal_account_conditions",
}

# Joint approval (会签): the groups a user approves for are their department.
workflow_user_groups = ["gov_services.permissions.user_workflow_groups"]

desk_modules = {
    "Applications": {"label": _("Applications"), "icon": "assignment", "order": 10},
    "Matters": {"label": _("Matters and guides"), "icon": "menu_book", "order": 20},
    "Service": {"label": _("Consultation and evaluation"), "icon": "support_agent", "order": 30},
    "Organisation": {"label": _("Organisation"), "icon": "account_tree", "order": 40},
}

# `bench --site NAME load-demo` runs these (and `bench start` on a site it creates); start prints the logins.
demo_loaders = ["gov_services.demo.load_demo"]

# What print formats see beyond the record's fields (lowcode.printing.context).
print_context = {
    "Application": "gov_services.print_context.application",
    "Handover": "gov_services.print_context.handover",
    "Licence": "gov_services.print_context.licence",
}

# `bench make-benchmark-data`: bulk records for benchmarks/.
benchmark_data = ["gov_services.benchmark_data.make"]
start_logins = ["gov_services.demo.demo_logins"]

# The portal (lowcode.webforms): what each DocType adds to its generated web forms, and real-name levels.
webform_controllers = {
    "Application": "gov_services.portal.webforms.ApplicationWebForm",
    "Work Order": "gov_services.portal.webforms.WorkOrderWebForm",
}
portal_realname_level = "gov_services.gov_services.doctype.portal_account.services.realname_level"
# Citizens and companies sign in with the ID number or credit code; their user name is an opaque one.
login_name = ["gov_services.gov_services.doctype.portal_account.services.login_name"]
portal_menu_items = [
    {"title": _("Service guides"), "route": "/guides/"},
    {"title": _("Look up progress"), "route": "/progress/"},
    {"title": _("My services"), "route": "/my/", "login": True},
]
portal_signup = [{"title": _("Sign up"), "route": "/signup/"}]
