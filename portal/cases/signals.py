"""Signals the cases area sends, so areas above it (assessment, dashboard, public, meetings) can
react to cases without the cases area importing them.

Every signal is sent with the `Case` as sender, inside the transaction of the change, after the
change is flushed and before the caller commits. A receiver may add rows to the same transaction
(e.g. keep dashboard counters exact) but must never commit or roll back; an exception in a receiver
aborts the change.

    from portal.cases.signals import case_closed

    @case_closed.connect
    def owe_ratings(case, event, forced, **_):
        ...

- `case_transition(case, event, action, from_state, to_state, assignment, actor)`: every
  transition, including intake (`action="intake"`, `from_state=None`).
- `case_closed(case, event, forced)`: the case reached `closed` (verified and closed, handled on
  the spot, or force-closed with `forced=True`).
- `case_rated(case, satisfaction, reopened)`: a resident rated a closed case.
"""
from blinker import Namespace

_signals = Namespace()

case_transition = _signals.signal("case-transition")
case_closed = _signals.signal("case-closed")
case_rated = _signals.signal("case-rated")
