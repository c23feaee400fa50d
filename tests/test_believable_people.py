"""The default run read as a VP of Sales reads it, continued (`story_slips`): invitations come
from the organiser, nobody books a customer on the Friday after Thanksgiving or in the Christmas
week, and internal meetings say who was in them. Each test was red on the code before the fix."""

from __future__ import annotations

import pytest
from default_story import default_story
from story_slips import (
    absent_role_slips,
    demo_prep_without_se_slips,
    internal_attendee_slips,
    invitation_slips,
    org_users,
    quiet_day_slips,
    same_day_slips,
    third_person_reader_slips,
    unanswered_ask_slips,
)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    where = tmp_path_factory.mktemp("people")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield default_story(where, monkeypatch), org_users(where)


def test_only_the_seller_sends_an_invitation(story):
    """ "Invitation: Harborline Retail — discovery session" came from Manon, the customer, for a
    meeting Camille organises (24 threads); the seller's invitation now says it sends one."""
    plan, _ = story
    assert invitation_slips(plan) == []


def test_no_customer_meeting_on_a_quiet_day(story):
    """The Friday after Thanksgiving and the days between Christmas and New Year: US (and most
    Christmas-keeping) B2B buyers are out, so nobody books a customer meeting then."""
    plan, _ = story
    assert quiet_day_slips(plan) == []


def test_an_internal_meeting_names_everyone_in_it(story):
    """ "With: Camille Laurent" on a deal review held with Henrik Larsen, her sales director."""
    plan, users = story
    assert internal_attendee_slips(plan, users) == []


def test_a_role_in_internal_notes_is_someone_who_was_there(story):
    """ "Outcome: The sales engineer logs the next step" in a deal review of the seller and her
    manager; "Our manager chases the open question" after a demo prep with the sales engineer."""
    plan, users = story
    assert absent_role_slips(plan, users) == []


def test_a_demo_dry_run_has_the_sales_engineer(story):
    plan, users = story
    assert demo_prep_without_se_slips(plan, users) == []


def test_a_deal_meets_its_customer_at_most_once_a_day(story):
    """ "Rebooked: Gable Partners — tailored demo" at 10:00 and the value review at 13:30 the same
    day (5 deals): a rebooked meeting now rests a day before the next step, like any other."""
    plan, _ = story
    assert same_day_slips(plan) == []


def test_a_customer_who_asks_for_a_meeting_hears_back_before_it(story):
    """ "Could you send a few times for the pricing call?" and the call took place with no word
    from the seller (8 threads); the seller now answers promptly, at the latest early on the
    meeting's morning."""
    plan, _ = story
    assert unanswered_ask_slips(plan) == []


def test_a_letter_speaks_to_its_reader_not_of_them(story):
    """ "Hello Manon, Brief recap of the proposal call with Manon for the record." (62 letters):
    the reader is "you" in their own letter."""
    plan, _ = story
    assert third_person_reader_slips(plan) == []
