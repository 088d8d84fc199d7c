"""Volunteering operations: the public pages, the back office, imports and commands all call
these. Each is atomic and raises a VolunteerError (SignupError for taking places) whose message
is translated and shown to the person as it is.

  base        errors, notification links and wording
  profiles    sign-up as a volunteer, edits, verification, moving community, deleting the account
  shifts      tasks, shifts and templates
  signups     places on shifts, invitations, declines (the counting rule is in its docstring)
  attendance  check-in/out, confirmations, corrections, minutes served
  reports     certificates, the party-member report, reminders
  waitlist    waiting lists of full shifts, offers of freed places (its docstring: the rule)
  swaps       handing one's place to another volunteer
"""

from .attendance import (
    check_in,
    check_in_open,
    check_out,
    confirm_attendance,
    correct_attendance,
    mark_no_show,
    minutes_by_kind,
    minutes_served,
    minutes_served_in_all_and_in,
    post_state,
    undo_possible,
    undo_scan,
)
from .base import (
    ANONYMOUS_NAME,
    SignupError,
    VolunteerError,
    withdraw_cutoff,
)
from .profiles import (
    PROFILE_FIELDS,
    create_profile,
    delete_account,
    identity_token,
    move_community,
    reject_profile,
    update_profile,
    verify_profile,
)
from .reports import (
    due_reminders,
    issue_certificate,
    month_bounds,
    party_report,
    send_shift_reminders,
)
from .shifts import (
    cancel_shift,
    create_shift,
    create_template,
    days_ahead,
    duty_grid,
    generate_from_template,
    generate_shifts,
    parse_time,
    template_slots,
    update_shift,
    update_template,
)
from .signups import (
    accept_invitation,
    decline_invitation,
    invitation_declined,
    invite,
    offer_after_decline,
    remove_from_shift,
    sign_up,
    withdraw,
)
from .waitlist import (
    accept_offer,
    decline_offer,
    expire_offers,
    join_waitlist,
    leave_waitlist,
    remove_from_waitlist,
)

__all__ = [
    "ANONYMOUS_NAME",
    "VolunteerError",
    "SignupError",
    "withdraw_cutoff",
    "PROFILE_FIELDS",
    "create_profile",
    "update_profile",
    "identity_token",
    "verify_profile",
    "reject_profile",
    "move_community",
    "delete_account",
    "create_shift",
    "parse_time",
    "update_shift",
    "create_template",
    "template_slots",
    "generate_from_template",
    "generate_shifts",
    "days_ahead",
    "duty_grid",
    "update_template",
    "cancel_shift",
    "sign_up",
    "withdraw",
    "remove_from_shift",
    "invite",
    "accept_invitation",
    "decline_invitation",
    "invitation_declined",
    "offer_after_decline",
    "check_in",
    "check_in_open",
    "check_out",
    "post_state",
    "undo_scan",
    "undo_possible",
    "confirm_attendance",
    "mark_no_show",
    "correct_attendance",
    "minutes_served",
    "minutes_served_in_all_and_in",
    "minutes_by_kind",
    "month_bounds",
    "issue_certificate",
    "party_report",
    "due_reminders",
    "send_shift_reminders",
    "join_waitlist",
    "leave_waitlist",
    "remove_from_waitlist",
    "accept_offer",
    "decline_offer",
    "expire_offers",
]
