from django.contrib import admin

from gov_services.gov_services.doctype.knowledge_article.models import KnowledgeArticle
from lowcode.desk.admin import DocTypeAdmin


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(DocTypeAdmin):
    list_display = ("title", "department", "matter", "status", "modified_at")
    list_filter = ("status", "department")
    search_fields = ("title", "answer", "keywords")
    list_select_related = ("department", "matter")
    autocomplete_fields = ("department", "matter")
