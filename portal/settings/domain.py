"""The domain's rules as settings: volunteering (withdrawal, check-in windows, waiting lists,
messages, e-cards, hours, star levels and the working days of their notice period), matching, and
supplies. Imported at the end of base.py, so every environment has them and may override them;
each reads its environment variable, with the default the issue or the national scheme gives."""

from .env import env, env_list

# --- volunteers ---
# A volunteer may withdraw from a shift up to this many hours before it starts.
VOLUNTEERS_WITHDRAW_CUTOFF_HOURS = int(env("VOLUNTEERS_WITHDRAW_CUTOFF_HOURS", "12"))
# send_shift_reminders reminds people of shifts starting within this many hours.
VOLUNTEERS_REMINDER_HOURS = int(env("VOLUNTEERS_REMINDER_HOURS", "24"))
# Shift templates: shifts always exist this many days ahead. `manage.py generate_shifts` (run
# daily by a timer; idempotent) makes the missing ones; saving a template does too.
VOLUNTEERS_SHIFT_DAYS_AHEAD = int(env("VOLUNTEERS_SHIFT_DAYS_AHEAD", "14"))
# Check-in at a post (the post's QR code): allowed from this many minutes before a shift
# starts until this many minutes after it starts (never after it ends) ...
VOLUNTEERS_CHECK_IN_EARLY_MINUTES = int(env("VOLUNTEERS_CHECK_IN_EARLY_MINUTES", "60"))
VOLUNTEERS_CHECK_IN_LATE_MINUTES = int(env("VOLUNTEERS_CHECK_IN_LATE_MINUTES", "120"))
# ... check-out until this many minutes after the shift ends ...
VOLUNTEERS_CHECK_OUT_LATE_MINUTES = int(env("VOLUNTEERS_CHECK_OUT_LATE_MINUTES", "180"))
# ... a check-out this soon after checking in asks "are you sure?" first (a second scan) ...
VOLUNTEERS_CHECK_OUT_CONFIRM_MINUTES = int(env("VOLUNTEERS_CHECK_OUT_CONFIRM_MINUTES", "10"))
# ... and the volunteer may undo her last scan for this many minutes (audited).
VOLUNTEERS_SCAN_UNDO_MINUTES = int(env("VOLUNTEERS_SCAN_UNDO_MINUTES", "5"))


# --- matching ---
# (volunteers.matching, assistance; docs/matching.md explains every weight.)
# A volunteer is not given more than this many hours of shifts in one ISO week (sign-up,
# ranking and auto-assign all refuse beyond it).
MATCHING_WEEKLY_HOURS_CAP = float(env("MATCHING_WEEKLY_HOURS_CAP", "30"))
# Score weights (all >= 0; unknown keys are an error). A suggestion's score is
#   closeness (same_compound | same_community | elsewhere)
#   + availability * share of the shift inside the volunteer's stated weekly availability
#   + optional_skills * share of the task's skills the volunteer has
#   + fairness * (1 - hours this week / weekly cap)
#   + reliability * share of past shifts attended (those of the last MATCHING_RELIABILITY_DAYS)
#   + party_priority if the post is a party-member post (党员先锋岗) and the volunteer a member.
MATCHING_WEIGHTS = {
    "same_compound": 4.0,
    "same_community": 2.5,
    "elsewhere": 0.0,
    "availability": 2.0,
    "optional_skills": 1.5,
    "fairness": 1.5,
    "reliability": 2.0,
    "party_priority": 3.0,
    "light_load_share": 0.25,
    "reliable_threshold": 0.9,
}
# Reliability counts the shifts that started in the last this many days: recent behaviour, and
# ranking reads a bounded amount of history however long the portal has been running.
MATCHING_RELIABILITY_DAYS = int(env("MATCHING_RELIABILITY_DAYS", "60"))
# A volunteer's page recommends shifts of the next this many days, chosen among at most this
# many open shifts (nearest first), and keeps the choice this many seconds (a sign-up drops it).
MATCHING_RECOMMEND_DAYS = int(env("MATCHING_RECOMMEND_DAYS", "3"))
MATCHING_RECOMMEND_CANDIDATES = int(env("MATCHING_RECOMMEND_CANDIDATES", "60"))
MATCHING_RECOMMEND_SECONDS = int(env("MATCHING_RECOMMEND_SECONDS", "180"))
# Auto-assign stops the solver after this many seconds and keeps the best found so far.
MATCHING_ASSIGN_TIME_LIMIT = float(env("MATCHING_ASSIGN_TIME_LIMIT", "8"))
# An urgent help request not assigned within this many minutes is flagged on the dashboard.
MATCHING_URGENT_MINUTES = int(env("MATCHING_URGENT_MINUTES", "30"))

# --- volunteers: waiting lists, handovers, messages (volunteers/services/waitlist.py, swaps.py,
# messages.py) ---
# A place offered to the next on a shift's waiting list is held this long (never past the
# start); `manage.py expire_waitlist_offers` (every few minutes) passes lapsed ones on.
VOLUNTEERS_WAITLIST_OFFER_MINUTES = int(env("VOLUNTEERS_WAITLIST_OFFER_MINUTES", "60"))
# Messages to the volunteers one leads: recipients per sender per (Beijing) day, over all
# their messages; urgent notice pushes are not counted.
VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY = int(env("VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY", "500"))
# Who got which message is kept this many days, then the recipient rows go (counts stay).
VOLUNTEERS_MESSAGE_RETENTION_DAYS = int(env("VOLUNTEERS_MESSAGE_RETENTION_DAYS", "180"))

# Volunteer e-cards (volunteers.services.cards): the number's prefix, and how many days the
# QR code on a card (shown or printed) stays valid; issuing the card again revokes it sooner.
VOLUNTEERS_CARD_PREFIX = env("VOLUNTEERS_CARD_PREFIX", "LGQ")
VOLUNTEERS_CARD_TOKEN_DAYS = int(env("VOLUNTEERS_CARD_TOKEN_DAYS", "366"))
# --- hours, star levels and service records (issue 14.3-14.5) ---
# Recorded attendance nobody disputed counts as confirmed this many days after check-out
# (`manage.py auto_confirm_hours`, daily).
VOLUNTEERS_AUTO_CONFIRM_DAYS = int(env("VOLUNTEERS_AUTO_CONFIRM_DAYS", "7"))
# Confirmed hours for 1 to 5 stars (星级志愿者), the common national scheme by default.
VOLUNTEERS_STAR_THRESHOLDS = [
    int(h) for h in env_list("VOLUNTEERS_STAR_THRESHOLDS", "100,300,600,1000,1500")
]
# Working days (portal.workdays: Monday to Friday less PUBLIC_HOLIDAYS, plus MAKEUP_WORKDAYS)
# a published star application stays on public notice before it is granted.
VOLUNTEERS_STAR_NOTICE_DAYS = int(env("VOLUNTEERS_STAR_NOTICE_DAYS", "5"))

# --- working days (portal.workdays) ---
# Public holidays and make-up working days (调休上班) from the State Council's yearly notice
# (国务院办公厅关于部分节假日安排的通知, published around November). TO BE UPDATED EVERY YEAR:
# add the coming year's dates when the notice is out. Holidays are (first, last) day ranges.
PUBLIC_HOLIDAYS = [
    # 2026, as published (国办发明电〔2025〕7号)
    ("2026-01-01", "2026-01-03"),  # 元旦
    ("2026-02-15", "2026-02-23"),  # 春节
    ("2026-04-04", "2026-04-06"),  # 清明节
    ("2026-05-01", "2026-05-05"),  # 劳动节
    ("2026-06-19", "2026-06-21"),  # 端午节
    ("2026-09-25", "2026-09-27"),  # 中秋节
    ("2026-10-01", "2026-10-07"),  # 国庆节
    # 2027: the statutory days only (全国年节及纪念日放假办法, 2024); the bridging days and
    # the make-up working days come with the State Council's notice: check and complete.
    ("2027-01-01", "2027-01-01"),  # 元旦
    ("2027-02-05", "2027-02-08"),  # 春节 (除夕 to 初三)
    ("2027-04-05", "2027-04-05"),  # 清明节
    ("2027-05-01", "2027-05-02"),  # 劳动节
    ("2027-06-09", "2027-06-09"),  # 端午节
    ("2027-09-15", "2027-09-15"),  # 中秋节
    ("2027-10-01", "2027-10-03"),  # 国庆节
]
MAKEUP_WORKDAYS = [
    # 2026
    "2026-01-04",  # 元旦 (Sunday)
    "2026-02-14",  # 春节 (Saturday)
    "2026-02-28",  # 春节 (Saturday)
    "2026-05-09",  # 劳动节 (Saturday)
    "2026-09-20",  # 国庆节 (Sunday)
    "2026-10-10",  # 国庆节 (Saturday)
    # 2027: to be added from the State Council's notice
]

# --- supplies: expiry (issue 15) ---
# Lots expiring within this many days (Beijing dates) are flagged on the warehouse's and the
# communities' dashboards; they go out first anyway (earliest usable expiry first).
DONATIONS_EXPIRY_WARNING_DAYS = int(env("DONATIONS_EXPIRY_WARNING_DAYS", "30"))
