"""Signals the services layer sends inside the writing transaction, for platform capabilities that follow
every document (deadlines, later the audit trail). Apps use doc_events in hooks.py instead."""

from django.dispatch import Signal

# sender: the model; kwargs: doc, user. Sent by insert_doc after the row is written.
document_inserted = Signal()

# sender: the model; kwargs: doc, user, action, from_state, to_state, is_final. Sent by the workflow engine
# after the state changed and the transition was recorded.
transition_applied = Signal()
