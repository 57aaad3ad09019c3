from django.db import models
from django.utils.translation import gettext_lazy as _

from lowcode.core.models import Document


class KnowledgeArticle(Document):
    """咨询知识库: a question and its answer, kept by a department for the hotline (S000 art. 14)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    department = models.ForeignKey(
        "gov_services.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="knowledge_articles",
    )
    matter = models.ForeignKey(
        "gov_services.Matter",
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_articles",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)

    class Meta(Document.Meta):
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-modified_at"]

    def __str__(self) -> str:
        return self.title
