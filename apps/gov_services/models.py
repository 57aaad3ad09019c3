"""Django finds an app's models here; each DocType keeps its own in gov_services/doctype/<name>/models.py."""

from gov_services.gov_services.doctype.application.models import Application, ApplicationMaterial
from gov_services.gov_services.doctype.department.models import Department
from gov_services.gov_services.doctype.evaluation.models import Evaluation, EvaluationScale, EvaluationScaleLevel
from gov_services.gov_services.doctype.guide.models import Guide, GuideFee, GuideMaterial
from gov_services.gov_services.doctype.handover.models import Handover, HandoverItem
from gov_services.gov_services.doctype.joint_review_opinion.models import JointReviewOpinion
from gov_services.gov_services.doctype.knowledge_article.models import KnowledgeArticle
from gov_services.gov_services.doctype.licence.models import Licence, LicenceType
from gov_services.gov_services.doctype.matter.models import (
    Matter,
    MatterCoDepartment,
    OnlineLevelChange,
    OnlineLevelRule,
)
from gov_services.gov_services.doctype.portal_account.models import PortalAccount, RealNameCheck
from gov_services.gov_services.doctype.special_procedure.models import SpecialProcedure
from gov_services.gov_services.doctype.staff.models import Staff
from gov_services.gov_services.doctype.work_order.models import WorkOrder, WorkOrderMessage

__all__ = [
    "Application",
    "ApplicationMaterial",
    "Department",
    "Evaluation",
    "EvaluationScale",
    "EvaluationScaleLevel",
    "Guide",
    "GuideFee",
    "GuideMaterial",
    "Handover",
    "HandoverItem",
    "JointReviewOpinion",
    "KnowledgeArticle",
    "Licence",
    "LicenceType",
    "Matter",
    "MatterCoDepartment",
    "OnlineLevelChange",
    "OnlineLevelRule",
    "PortalAccount",
    "RealNameCheck",
    "SpecialProcedure",
    "Staff",
    "WorkOrder",
    "WorkOrderMessage",
]
