"""Log lines as JSON, one object per line, for production (settings: LOG_FORMAT=json).

Each line holds the time (UTC, ISO 8601), level, logger and message; for a record about a
request (django.request, django.security, portal.security) its method, path, status and user
id; the fields a caller passed in `extra` under the audit_ / security_ prefixes (portal.audit,
portal.security); and the traceback of an exception. Nothing else: no query string, no POST
data, no headers, no cookies, no message bodies, so a verification code or a password can only
reach the log if some code puts it in the message itself.
"""

import json
import logging
from datetime import UTC, datetime

EXTRA_PREFIXES = ("audit_", "security_")


def _request_fields(request):
    fields = {}
    try:
        fields["method"] = request.method
        fields["path"] = request.path
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["user"] = user.pk
    except Exception:  # noqa: S110 - a half-built request (a bad Host header) is still logged
        pass
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry.update(_request_fields(request))
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in record.__dict__.items():
            if key.startswith(EXTRA_PREFIXES):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
