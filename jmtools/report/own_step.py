"""Whether a touchpoint the company starts may be the customer's own step (D243, D262): where the
funnel's "Not counted at" note says how to count such a record, and where it does not."""

from __future__ import annotations

import re

__all__ = ["MESSAGE_WORDS", "may_be_own_step"]

#: Words that make a touchpoint's name or event plainly a message the company sends (D262): the
#: medium, the kind of message, or the send itself (D245's words of an event name).
MESSAGE_WORDS = frozenset({"mail", "email", "emails", "mails", "mailing", "newsletter", "push", "sms", "letter",
                           "message", "notification", "notice", "reminder", "alert", "digest", "invitation",
                           "ad", "ads", "advert", "sent", "send", "sending", "dispatched"})


def may_be_own_step(touchpoint) -> bool:
    """Whether a touchpoint the company starts may record a step that is the customer's own (an
    automatic renewal, an order taken by staff), so that marking it ``initiated_by: customer`` can
    be right (D262): always for a conversation (``channel: interpersonal``: a call or a visit can
    carry the customer's decision); otherwise unless its name or an event pattern says a message
    (:data:`MESSAGE_WORDS`: a reminder e-mail, a push, a notice, ``*_sent``), which the customer
    only receives.

    Examples
    --------
    >>> from jmtools.journey.model import Touchpoint
    >>> tp = lambda name, events, channel="digital": Touchpoint(name=name, stage="S", channel=channel,
    ...                                                          events=events, initiated_by="company")
    >>> may_be_own_step(tp("Restock reminder", ["reminder_email_sent"])), may_be_own_step(tp("Renewal", ["auto_renewed"]))
    (False, True)
    >>> may_be_own_step(tp("Price update", ["priceIncreaseNotice"])), may_be_own_step(tp("Order line", ["sms_order"], "interpersonal"))
    (False, True)
    """
    if touchpoint.channel == "interpersonal":
        return True
    text = " ".join([touchpoint.name, *touchpoint.events])
    words = re.split(r"[^a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower())
    return not MESSAGE_WORDS.intersection(words)
