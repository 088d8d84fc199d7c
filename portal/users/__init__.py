"""Staff accounts in the Wagtail admin (Settings -> Users), for the portal's User.

Wagtail's own add and edit forms know only username, email, names and password. Ours
(forms.py, wired in through Wagtail's documented hook: a UserViewSet subclass named by the
wagtail.users app config in apps.py) add what a portal account lives by:

- **Mobile number.** The normal way in: the person logs in with the number and an SMS code
  (portal.accounts). The field is allauth's sign-up field (portal.accounts.adapter.MobileField),
  so "+86 139 1234 5678" is stored as the same 11 digits the phone sign-up stores, checked by
  the same portal.validators rule, and allauth finds it, because the adapter keeps numbers on
  User.phone (allauth has no phone model of its own). A number already on another account is
  refused with a message, not a server error, even when two admins save at once.
- **Mobile number or email, at least one.** A staff account must be able to log in without a
  developer: by SMS code to the number, or by a code or password through the email address.
  Neither alone is required; an account with neither is refused.
- **Not verified by the admin.** A number typed in by somebody else is not proven, so
  phone_verified stays False (and goes back to False when an admin changes the number). The
  person proves it at their first log-in: a log-in by SMS code verifies the number on the way
  (allauth's login-by-code flow), and a password log-in with an unverified number is stopped by
  allauth's phone verification stage until the texted code is typed. The edit form says
  whether the number is verified.
- **No password needed.** WAGTAILUSERS_PASSWORD_REQUIRED = False (settings.base): staff log in
  by SMS code like everybody else, so the admin may leave the password empty; the account then
  gets an unusable password (as a phone sign-up does), never an empty one. An admin may still
  set one, and the person can set or reset their own through allauth.
- **Names**: the surname is optional, so a name kept whole in the given-name field (as the
  demo staff's are) does not block every edit; the given name stays required, as in Wagtail.
- **Language for messages** (zh-hans or en): what SMS and mail are written in; at the first
  log-in it also becomes the admin's language (portal.accounts.adapter.set_admin_language).

The listing shows the masked number, and the search box finds people by their number.
"""
