"""The default run read as a VP of Sales reads it: the slips that make a story unbelievable.

Each test counts one kind of slip over the whole default plan (`org init` + demo.example.yaml,
heuristic texts) and expects none; `default_story` says how each is found.
"""

from __future__ import annotations

import pytest
from default_story import (
    after_hours_replies,
    busy_slips,
    day_off_email_slips,
    default_story,
    discovery_slips,
    full_name_slips,
    grammar_slips,
    greeting_slips,
    hours_slips,
    label_slips,
    late_joiner_slips,
    named_meeting_slips,
    order_slips,
    passed_step_slips,
    recap_slips,
    request_reply_slips,
    scheduling_slips,
    scorecards,
)

from demo_gen.stages.content.mail import by_first_name


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield default_story(tmp_path_factory.mktemp("default"), monkeypatch)


@pytest.fixture(scope="module")
def cards(story):
    return scorecards(story)


def test_a_scorecard_names_a_meeting_as_its_invite_does(story, cards):
    """ "First raised in the discovery session on September 11" cited a meeting titled
    "Understanding … current process" (the "discovery session" was on September 17); "the
    business case review on October 22" was titled "Value review". Every meeting an answer names
    has that name in the subject of the deal's meeting on that date."""
    assert label_slips(story, cards) == []


def test_notes_and_thank_yous_call_the_meeting_what_its_invite_does(story):
    """ "Tailored demo with ..." in the notes of "Demo session: ...", a thank-you for "the
    discovery session" after "Discovery workshop: ...": one name per meeting, its subject's."""
    assert named_meeting_slips(story) == []


def test_no_decision_step_is_announced_after_its_date(story):
    """The business case review of July 21 said "the technical recommendation by June 30": a
    step agreed late in the cycle is due after the meeting that agrees it."""
    assert passed_step_slips(story) == []


def test_a_customer_who_asked_for_a_call_takes_up_the_offer(story):
    """Sanne asked for times, Camille offered an intro call, and Sanne answered "I will send a
    first conversation with two options": the customer's answer accepts, it does not offer."""
    assert request_reply_slips(story.plan, story.texts) == []


def test_one_discovery_then_the_path_moves_on(story):
    """Deals had up to nine intro and discovery meetings ("current process", "discovery
    session", "Discovery: …"): at most two, and no kind earlier on the path after a later one."""
    assert discovery_slips(story.plan) == []
    assert order_slips(story.plan) == []


def test_customer_meetings_sit_in_both_sides_hours(story):
    """A seller's 07:00 call with a customer at 13:00: where both business days overlap long
    enough, the meeting is in both; never outside the seller's window or a customer's hours."""
    assert hours_slips(story) == []


def test_nobody_emails_on_their_weekend_and_few_after_hours(story):
    """A customer replied at 06:39 on a Saturday. Replies wait for the sender's working day;
    `after_hours_email_share` of emails may go early or late on a working day, never on a day
    off (reference §3.4: weekend volume is bulk mail, §3.5: local weekends are days off)."""
    assert day_off_email_slips(story.plan) == []
    late, total = after_hours_replies(story)
    assert total > 500 and late / total <= story.config.activity.after_hours_email_share


def test_scheduling_threads_agree_with_each_other_and_the_booked_meeting(story):
    """The seller proposes in the customer's time, the customer accepts the same time, and it is
    when the meeting starts (the Lakeshore Underwriters 15:00 / 16:00 / 14:00 UTC thread)."""
    assert scheduling_slips(story) == []


def test_time_of_day_greetings_fit_the_senders_clock(story):
    assert greeting_slips(story) == []


def test_nobody_emails_during_their_own_meeting_or_call(story):
    assert busy_slips(story.plan) == []


def test_a_late_joiner_is_someone_else_who_attended(story):
    assert late_joiner_slips(story) == []


def test_every_recap_names_a_fact_or_the_next_step_of_its_meeting(story):
    assert recap_slips(story) == []


def test_the_reader_is_addressed_by_first_name_in_the_body_too(story):
    """Greeted as "Hi Manon," the reader is not then called "Manon Simon, thank you for ..."."""
    assert full_name_slips(story) == []


def test_no_object_pronoun_stands_as_a_subject(story):
    """An internal deal review with no champion said "the deal is ahead of plan, and them is
    engaged"."""
    assert grammar_slips(story) == []


def test_the_reader_named_in_full_is_addressed_by_first_name():
    """The wordings that thank a champion or an economic buyer name them in full (the fact's
    token); in a letter to that person the vocative becomes the first name."""
    full, first = "Manon Simon", "Manon"
    said = "Manon Simon, thank you for this. Glad to have you involved, Manon Simon, as owner."
    assert by_first_name(said, full, first) == (
        "Manon, thank you for this. Glad to have you involved, Manon, as owner."
    )
    assert by_first_name("Thanks, Manon Simon.", full, first) == "Thanks, Manon."
    about = "Manon Simon, Head of Data, wants this fixed."  # about them, not to them
    assert by_first_name(about, full, first) == about
