"""lowcode: the generic platform (the role Frappe plays in a bench). It never imports gov_services."""
