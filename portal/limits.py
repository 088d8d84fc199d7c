"""Limits that answer "too many" instead of failing.

allauth counts attempts (ACCOUNT_RATE_LIMITS) and, on some paths (a phone sign-up repeated
within the verification window, say), raises RateLimited from deep inside its flow; portal.sms
raises SMSLimitExceeded when a number has had its share of messages. Either is an answer for
the visitor, not a server error: the middleware renders the 429 page, in their language.
"""

from http import HTTPStatus

from allauth.core.exceptions import RateLimited
from django.shortcuts import render

from portal.sms import SMSLimitExceeded


def too_many_requests(request, message=""):
    return render(request, "429.html", {"message": message}, status=HTTPStatus.TOO_MANY_REQUESTS)


class TooManyRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SMSLimitExceeded):
            return too_many_requests(request, str(exception))
        if isinstance(exception, RateLimited):
            return too_many_requests(request)
        return None
