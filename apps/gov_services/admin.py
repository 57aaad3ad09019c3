"""Django's admin autodiscovery imports this; each DocType keeps its desk view in its own admin.py."""

from gov_services.gov_services.doctype.application import admin as application_admin  # noqa: F401
from gov_services.gov_services.doctype.department import admin as department_admin  # noqa: F401
from gov_services.gov_services.doctype.evaluation import admin as evaluation_admin  # noqa: F401
from gov_services.gov_services.doctype.guide import admin as guide_admin  # noqa: F401
from gov_services.gov_services.doctype.handover import admin as handover_admin  # noqa: F401
from gov_services.gov_services.doctype.joint_review_opinion import admin as joint_review_opinion_admin  # noqa: F401
from gov_services.gov_services.doctype.knowledge_article import admin as knowledge_article_admin  # noqa: F401
from gov_services.gov_services.doctype.licence import admin as licence_admin  # noqa: F401
from gov_services.gov_services.doctype.matter import admin as matter_admin  # noqa: F401
from gov_services.gov_services.doctype.portal_account import admin as portal_account_admin  # noqa: F401
from gov_services.gov_services.doctype.special_procedure import admin as special_procedure_admin  # noqa: F401
from gov_services.gov_services.doctype.staff import admin as staff_admin  # noqa: F401
from gov_services.gov_services.doctype.work_order import admin as work_order_admin  # noqa: F401
