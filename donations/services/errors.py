from django.core.exceptions import ValidationError


class StockError(ValidationError):
    """A donations operation that cannot be done; the message is translated and shown as is."""
