"""The REST API in Frappe's shape: /api/resource/<DocType>[/<name>], /api/method/<dotted.path>, token or
session auth, Frappe's error shape — through the same permission layer as the desk."""

from lowcode.api.registry import whitelist

__all__ = ["whitelist"]
