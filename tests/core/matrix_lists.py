"""Permission-matrix fragment for the lists work: the follow-up owner (跟进负责人) of needs.

Exports are no URLs of their own: every list answers ``?export=xlsx`` through the same view and
selectors (tests/core/test_list_exports.py walks them per role)."""

from __future__ import annotations

ROLES = ("anonymous", "coordinator", "district", "enterprise", "liaison", "expert", "leadership")

ENTRIES = {
    # one need's owner: a visible need redirects back to its page (assigned, or refused with a message);
    # a need outside the user's scope is 404
    "needs:owner": (
        "post",
        "need",
        dict.fromkeys(ROLES[2:], (302, 404)) | {"coordinator": (302, 302), "anonymous": (302, 302)},
    ),
    # the list's bulk form: coordinators and district staff only
    "needs:bulk_owner": (
        "post",
        None,
        dict.fromkeys(ROLES[3:], 404) | {"coordinator": 302, "district": 302, "anonymous": 302},
    ),
}
