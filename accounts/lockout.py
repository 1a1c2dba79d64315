"""django-axes, with one change to what a successful login forgets."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class LockoutHandler(AxesDatabaseHandler):
    """A successful login forgets the failures against that account only.

    The stock handler also forgets the failures from the same address against every other
    account, so an attacker with an account of their own (sponsor sign-up is open) could
    guess four times, log in as themselves, and guess again without ever being locked out.
    """

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
