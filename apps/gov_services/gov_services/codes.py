"""Code lists of GB/T 39046-2020 (政务服务平台基础数据规范) and of the seeds, as TextChoices.

The stored value is the standard's code where it has one, so exports and exchanges use the standard codes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterType(models.TextChoices):
    """事项类型, GB/T 39046 A.1."""

    LICENSING = "01", _("Administrative licensing")
    PENALTY = "02", _("Administrative penalty")
    ENFORCEMENT = "03", _("Administrative enforcement")
    LEVY = "04", _("Administrative levy")
    PAYMENT = "05", _("Administrative payment")
    INSPECTION = "06", _("Administrative inspection")
    CONFIRMATION = "07", _("Administrative confirmation")
    REWARD = "08", _("Administrative reward")
    ADJUDICATION = "09", _("Administrative adjudication")
    OTHER_POWER = "10", _("Other administrative power")
    PUBLIC_SERVICE = "20", _("Public service")


class ExerciseLevel(models.TextChoices):
    """行使层级, GB/T 39046 A.2."""

    NATIONAL = "1", _("National")
    PROVINCIAL = "2", _("Provincial")
    MUNICIPAL = "3", _("Municipal")
    COUNTY = "4", _("County")
    TOWNSHIP = "5", _("Township / sub-district")
    VILLAGE = "6", _("Village / community")


class ImplementerNature(models.TextChoices):
    """实施主体性质, GB/T 39046 A.3."""

    STATUTORY = "1", _("Statutory authority")
    AUTHORISED = "2", _("Authorised organisation")
    ENTRUSTED = "3", _("Entrusted organisation")


class ServiceObject(models.TextChoices):
    """服务对象, GB/T 39046 A.4."""

    NATURAL_PERSON = "1", _("Natural person")
    ENTERPRISE = "2", _("Enterprise legal person")
    INSTITUTION = "3", _("Public institution legal person")
    SOCIAL_ORGANISATION = "4", _("Social organisation legal person")
    UNINCORPORATED = "5", _("Unincorporated enterprise")
    ADMINISTRATIVE = "6", _("Administrative organ")
    OTHER = "9", _("Other organisation")


class HandlingType(models.TextChoices):
    """办件类型 (S001)."""

    IMMEDIATE = "immediate", _("Immediate (即办件)")
    PROMISED = "promised", _("Promised (承诺件)")
    REPORTED = "reported", _("Reported to a higher authority (上报件)")
    JOINT = "joint", _("Joint handling (联办件)")


class OnlineLevel(models.IntegerChoices):
    """网上办理的层级 (S000 arts. 9, 12)."""

    LEVEL_1 = 1, _("Level 1")
    LEVEL_2 = 2, _("Level 2")
    LEVEL_3 = 3, _("Level 3")
    LEVEL_4 = 4, _("Level 4")


class OnlineDepth(models.TextChoices):
    """网上办理深度."""

    CONSULT = "consult", _("Online consultation")
    APPOINTMENT = "appointment", _("Online appointment")
    APPLY = "apply", _("Online application")
    PRE_REVIEW = "pre_review", _("Online pre-review")
    ACCEPT = "accept", _("Online acceptance")
    HANDLE = "handle", _("Online handling")
    PAY = "pay", _("Online payment")
    DELIVERY = "delivery", _("Express delivery of results")
    FULLY_ONLINE = "fully_online", _("Fully online")


class ThemeWindow(models.TextChoices):
    """主题窗口 (S001)."""

    REGISTRATION = "registration", _("Registration (注册登记类)")
    OPERATION = "operation", _("Business operation (经营管理类)")
    LIVELIHOOD = "livelihood", _("Social livelihood (社会民生类)")
    CONSTRUCTION = "construction", _("Investment and construction (投资建设类)")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_HOURS = "working_hours", _("working hours")


class JointMode(models.TextChoices):
    NONE = "", _("Not joint")
    SERIAL = "serial", _("Serial (前后置)")
    PARALLEL = "parallel", _("Parallel (并联)")


class IdType(models.TextChoices):
    """证件类型 of an applicant or licence holder."""

    RESIDENT_ID = "resident_id", _("Resident ID card")
    USCC = "uscc", _("Unified social credit code")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At the window")
    MAIL = "mail", _("By mail")


class DeliveryMethod(models.TextChoices):
    """送达方式 of results (S001 (六))."""

    PICKUP = "pickup", _("Pickup at the window")
    EMS = "ems", _("EMS")
    LOCKER = "locker", _("Self-service locker")
