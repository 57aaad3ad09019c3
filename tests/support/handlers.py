"""doc_events handlers that tests register with override_hooks; each call is recorded."""

CALLS: list[tuple[str, str, str]] = []


def record(doc: object, event: str) -> None:
    CALLS.append((type(doc).__name__, str(getattr(doc, "name", doc.pk)), event))
