"""Calendars: the planned meetings as iCalendar events, in each internal attendee's calendar.

ical          a planned meeting -> one VCALENDAR (pure; stable UID and DTSTAMP), and the calendar
              work items prepare() gives a calendar target
caldav_target a CalDAV server through the `caldav` client: create with If-None-Match, find,
              read, update/delete with If-Match, discovery through the principal, per-person logins
ics_target    one .ics file per person per pack, its bytes a function of the events it holds
step          doctor's checks (login, each calendar found, exists, takes a write)

The ledger side — the Target protocol — is targets/caldav.py and targets/ics.py.
"""
