"""gov_services hooks, read by lowcode (Frappe's hooks.py): Django apps, fixtures, schedules, events."""

app_name = "gov_services"
app_title = "政务服务"
app_publisher = "gov_services contributors"
app_description = "Government e-services for Chinese administrative service centres"

django_apps = ["gov_services"]

# Synced by `bench sync-fixtures` (and `bench migrate`), in this order, idempotent by natural key.
fixtures = ["Role"]

scheduler_events: dict[str, list[str]] = {}

doc_events: dict[str, dict[str, list[str]]] = {}

desk_modules: dict[str, dict[str, object]] = {}
