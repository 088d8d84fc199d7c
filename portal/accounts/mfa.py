"""allauth's MFA adapter (MFA_ADAPTER): how the portal names itself and its people in
authenticator apps, QR codes drawn by segno like every other QR code of the site, and staff
who cannot switch their second factor off."""

import io

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext, gettext_lazy

from portal import encryption, qr
from portal.accounts import staff


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self):
        return gettext("Lugouqiao Subdistrict Volunteer and Donation Portal")

    def _get_user_identifier(self, user):
        # The account as its owner knows it (mobile number, email or name), never the
        # generated username.
        return user.phone or user.email or str(user)

    # TOTP secrets and recovery-code seeds are encrypted at rest with the same keys as ID
    # numbers (portal.encryption, keys from the environment); allauth stores them as given.
    def encrypt(self, text):
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text):
        try:
            return encryption.decrypt(encrypted_text)
        except encryption.DecryptionError:
            # Stored before encryption was switched on: still plain text.
            return encrypted_text

    def build_totp_svg(self, url):
        # allauth draws with the qrcode package; segno (already used for every other QR code)
        # does the same, so we need no second QR library.
        # allauth serves it as a data: URI image, which needs the SVG namespace.
        buffer = io.BytesIO()
        qr.make(url).save(
            buffer, kind="svg", scale=5, border=qr.QUIET_ZONE, xmldecl=False, svgns=True
        )
        return buffer.getvalue().decode()

    def can_delete_authenticator(self, authenticator):
        """Staff may replace their second factor (add a security key, then remove the app) but
        never be left without one: the admin's door would only send them back to set one up."""
        if authenticator.type not in staff.SECOND_FACTORS or not staff.is_staff(authenticator.user):
            return True
        return (
            Authenticator.objects.filter(
                user_id=authenticator.user_id, type__in=staff.SECOND_FACTORS
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": gettext_lazy(
            "Staff accounts must keep a second factor: add another one before you remove this."
        ),
    }
