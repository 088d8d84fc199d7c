"""Accounts: how people get in, built on django-allauth.

Two ways to sign up, both through allauth's own views and login stages:

- **By mobile number** (journey 1, the common case): /accounts/signup/ asks for an 11-digit
  mainland number only (PhoneSignupForm). allauth's phone verification stage texts a code
  through portal.sms; typing it verifies the number and logs the person in. The account has no
  password; later log-ins are by SMS code.
- **By email**: /accounts/signup/email/ asks for an address and a password (EmailSignupForm).
  Verification is mandatory: the account cannot log in until the code emailed to it is typed.

allauth only accepts ACCOUNT_EMAIL_VERIFICATION = "mandatory" when email is a required signup
field, so the settings describe the email path globally (ACCOUNT_SIGNUP_FIELDS = email*, phone,
password1), the phone path's form narrows the fields to the phone, and
stages.EmailVerificationStage waives email verification for accounts with a mobile number.

Logging in (LoginForm) is one field, "mobile number or email": leave the password empty to get
a one-time code, or type it (staff, email accounts). Staff reach the Wagtail admin through the
same login; views.admin_login replaces Wagtail's own login page and refuses, with a clear page,
accounts without the wagtailadmin.access_admin permission.
"""
