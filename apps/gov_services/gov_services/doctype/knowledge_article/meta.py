"""Low-code metadata of the Knowledge Article DocType (read by lowcode's registry; admin overrides layer over it)."""

DOCTYPE = {
    "name": "Knowledge Article",
    "model": "gov_services.KnowledgeArticle",
    "module": "Service",
    "icon": "quiz",
}
