"""Login stages that differ from allauth's."""

from allauth.account import stages
from allauth.account.adapter import get_adapter
from allauth.account.app_settings import EmailVerificationMethod


class EmailVerificationStage(stages.EmailVerificationStage):
    """Email verification is mandatory (ACCOUNT_EMAIL_VERIFICATION) for accounts whose way in
    is their email address. An account with a mobile number came in by phone: the phone
    verification stage (which runs before this one) proves the number, and there is no email
    address to verify, so this stage lets it through."""

    def handle(self):
        user = self.login.user
        if user is not None and get_adapter(self.request).get_phone(user):
            self.login.email_verification = EmailVerificationMethod.NONE
        return super().handle()
