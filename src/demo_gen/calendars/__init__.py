"""Calendars: the planned meetings as iCalendar events, in each internal attendee's calendar.

ical          a planned meeting -> one VCALENDAR (pure; stable UID and DTSTAMP)
caldav_target a CalDAV server through the `caldav` client: create with If-None-Match, find,
              read back, delete after verifying UID and ETag, doctor's probe
ics_target    one .ics file per person per pack, byte-identical across identical runs
sync          the ledger protocol for calendar copies (pending -> send -> created) and reset
"""
