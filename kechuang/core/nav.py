"""The audit trail's entry in the top navigation (roles as plain strings: core imports no app)."""

from django.utils.translation import gettext_lazy as _

ORDER = 90  # after every app's entries
NAV = [("core:audit", _("审计日志"), {"coordinator"})]
