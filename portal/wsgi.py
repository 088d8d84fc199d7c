import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()

from portal.checks import refuse_to_start_half_configured  # noqa: E402 - needs Django set up

refuse_to_start_half_configured()
