"""Where people are: country names to ISO codes, (country, state) to IANA zones, zones to countries.

Coverage: about 70 country names and aliases; state/province tables for the countries with several
zones (US, Canada, Australia, Brazil, Mexico, Russia, Indonesia); every other known country has one
business zone (its capital's). A zone's country comes from tzdata's `zone.tab`. Unknown → None,
and callers fall back (contact → account → owner's zone; country → Sat/Sun weekend, no holidays).
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from zoneinfo import ZoneInfo

from demo_gen.stages.model import Contact, Opportunity

_COUNTRY_CODES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "us": "US",
    "america": "US", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "gb": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "italy": "IT",
    "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "belgium": "BE",
    "switzerland": "CH", "austria": "AT", "ireland": "IE", "portugal": "PT", "sweden": "SE",
    "norway": "NO", "denmark": "DK", "finland": "FI", "poland": "PL", "czech republic": "CZ",
    "czechia": "CZ", "hungary": "HU", "romania": "RO", "greece": "GR", "turkey": "TR",
    "türkiye": "TR", "israel": "IL", "united arab emirates": "AE", "uae": "AE",
    "saudi arabia": "SA", "qatar": "QA", "egypt": "EG", "south africa": "ZA", "nigeria": "NG",
    "kenya": "KE", "india": "IN", "pakistan": "PK", "singapore": "SG", "malaysia": "MY",
    "indonesia": "ID", "philippines": "PH", "thailand": "TH", "vietnam": "VN", "viet nam": "VN",
    "china": "CN", "hong kong": "HK", "taiwan": "TW", "japan": "JP", "south korea": "KR",
    "korea": "KR", "republic of korea": "KR", "australia": "AU", "new zealand": "NZ",
    "canada": "CA", "mexico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR",
    "chile": "CL", "colombia": "CO", "peru": "PE", "russia": "RU", "russian federation": "RU",
    "ukraine": "UA", "luxembourg": "LU", "iceland": "IS", "estonia": "EE", "latvia": "LV",
    "lithuania": "LT", "croatia": "HR", "slovenia": "SI", "slovakia": "SK", "bulgaria": "BG",
    "serbia": "RS", "morocco": "MA", "costa rica": "CR", "uruguay": "UY",
}  # fmt: skip

_SINGLE_ZONE: dict[str, str] = {
    "GB": "Europe/London", "DE": "Europe/Berlin", "FR": "Europe/Paris", "ES": "Europe/Madrid",
    "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "CH": "Europe/Zurich",
    "AT": "Europe/Vienna", "IE": "Europe/Dublin", "PT": "Europe/Lisbon", "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki", "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague", "HU": "Europe/Budapest", "RO": "Europe/Bucharest", "GR": "Europe/Athens",
    "TR": "Europe/Istanbul", "IL": "Asia/Jerusalem", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
    "QA": "Asia/Qatar", "EG": "Africa/Cairo", "ZA": "Africa/Johannesburg", "NG": "Africa/Lagos",
    "KE": "Africa/Nairobi", "IN": "Asia/Kolkata", "PK": "Asia/Karachi", "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur", "PH": "Asia/Manila", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul", "NZ": "Pacific/Auckland", "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago", "CO": "America/Bogota", "PE": "America/Lima", "UA": "Europe/Kyiv",
    "LU": "Europe/Luxembourg", "IS": "Atlantic/Reykjavik", "EE": "Europe/Tallinn",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "HR": "Europe/Zagreb", "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava", "BG": "Europe/Sofia", "RS": "Europe/Belgrade",
    "MA": "Africa/Casablanca", "CR": "America/Costa_Rica", "UY": "America/Montevideo",
}  # fmt: skip

# State/province → zone for countries spanning several zones; keys are codes and lower-case names.
_US = {
    "America/New_York": "CT DE DC FL GA ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV IN KY",
    "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
}
_US_NAMES = {
    "california": "CA", "new york": "NY", "texas": "TX", "washington": "WA", "florida": "FL",
    "illinois": "IL", "massachusetts": "MA", "colorado": "CO", "arizona": "AZ", "georgia": "GA",
    "oregon": "OR", "nevada": "NV", "utah": "UT", "hawaii": "HI", "alaska": "AK",
    "new jersey": "NJ", "pennsylvania": "PA", "virginia": "VA", "north carolina": "NC",
    "ohio": "OH", "michigan": "MI", "minnesota": "MN", "tennessee": "TN", "missouri": "MO",
    "wisconsin": "WI", "district of columbia": "DC", "connecticut": "CT", "maryland": "MD",
    "indiana": "IN", "kentucky": "KY", "louisiana": "LA", "alabama": "AL", "idaho": "ID",
    "new mexico": "NM", "montana": "MT", "wyoming": "WY", "iowa": "IA", "kansas": "KS",
}  # fmt: skip
_CA = {
    "America/Vancouver": "BC british columbia",
    "America/Edmonton": "AB alberta NT YT yukon",
    "America/Regina": "SK saskatchewan",
    "America/Winnipeg": "MB manitoba",
    "America/Toronto": "ON ontario QC quebec québec NU",
    "America/Halifax": "NS NB PE",
    "America/St_Johns": "NL newfoundland",
}
_AU = {
    "Australia/Sydney": "NSW ACT",
    "Australia/Melbourne": "VIC victoria",
    "Australia/Brisbane": "QLD queensland",
    "Australia/Adelaide": "SA",
    "Australia/Perth": "WA",
    "Australia/Darwin": "NT",
    "Australia/Hobart": "TAS tasmania",
}
_BR = {
    "America/Manaus": "AM amazonas RR RO",
    "America/Fortaleza": "CE PE BA",
    "America/Belem": "PA",
}
_MX = {
    "America/Tijuana": "BC",
    "America/Hermosillo": "SON sonora",
    "America/Cancun": "ROO",
    "America/Monterrey": "NLE NL",
    "America/Chihuahua": "CHH chihuahua",
}
_RU = {
    "Asia/Yekaterinburg": "SVE",
    "Asia/Novosibirsk": "NVS novosibirsk",
    "Asia/Vladivostok": "PRI primorsky",
    "Europe/Kaliningrad": "KGD kaliningrad",
}
_ID = {"Asia/Makassar": "BA bali SN", "Asia/Jayapura": "PA papua"}
_MULTI: dict[str, tuple[str, dict[str, str]]] = {
    "US": ("America/New_York", _US),
    "CA": ("America/Toronto", _CA),
    "AU": ("Australia/Sydney", _AU),
    "BR": ("America/Sao_Paulo", _BR),
    "MX": ("America/Mexico_City", _MX),
    "RU": ("Europe/Moscow", _RU),
    "ID": ("Asia/Jakarta", _ID),
}
_EXTRA_NAMES = {
    "new south wales": "NSW", "western australia": "WA", "south australia": "SA",
    "northern territory": "NT", "australian capital territory": "ACT",
    "new brunswick": "NB", "nova scotia": "NS", "prince edward island": "PE",
    "baja california": "BC", "quintana roo": "ROO", "nuevo leon": "NLE", "nuevo león": "NLE",
}  # fmt: skip


def country_code(name: str | None) -> str | None:
    """ISO 3166 code for a country name or code ("Germany", "UK", "DE"); None when unknown."""
    if not name or not name.strip():
        return None
    key = name.strip().lower()
    if key in _COUNTRY_CODES:
        return _COUNTRY_CODES[key]
    upper = key.upper()
    if len(upper) == 2 and (upper in _SINGLE_ZONE or upper in _MULTI):
        return upper
    return None


def zone_for(country: str | None, state: str | None) -> str | None:
    """The IANA zone of a place given its country (and state where the country has several)."""
    code = country_code(country)
    if code is None:
        return None
    if code in _MULTI:
        default, table = _MULTI[code]
        return _state_zone(code, table, state) or default
    return _SINGLE_ZONE.get(code)


def _state_zone(code: str, table: dict[str, str], state: str | None) -> str | None:
    if not state:
        return None
    key = state.strip().lower()
    names = _US_NAMES if code == "US" else _EXTRA_NAMES
    key = names.get(key, key).lower()
    for zone, members in table.items():
        if key in {m.lower() for m in members.split()}:
            return zone
    return None


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    text = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            out[parts[2]] = parts[0]
    return out


_ZONE_ALIASES = {"Asia/Calcutta": "IN", "US/Pacific": "US", "US/Eastern": "US", "GB": "GB"}


def zone_country(zone: str) -> str | None:
    """The ISO country of an IANA zone ("Europe/London" → "GB"); None for UTC and unknown zones."""
    return _zone_countries().get(zone) or _ZONE_ALIASES.get(zone)


def safe_zone(name: str | None) -> ZoneInfo | None:
    """ZoneInfo for a name, or None when the name is missing or unknown to tzdata."""
    if not name:
        return None
    return _zone_or_none(name)


@lru_cache(maxsize=512)
def _zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError):
        return None


def owner_zone(opportunity: Opportunity) -> ZoneInfo:
    """The owner's zone (Seller.time_zone), UTC when unknown."""
    return safe_zone(opportunity.owner.time_zone) or ZoneInfo("UTC")


def contact_place(contact: Contact, opportunity: Opportunity) -> tuple[str | None, ZoneInfo]:
    """(country code, zone) of a contact: mailing address, else account billing, else owner's."""
    account = opportunity.account
    for country, state in (
        (contact.mailing_country, contact.mailing_state),
        (account.billing_country, account.billing_state),
    ):
        zone = safe_zone(zone_for(country, state))
        if zone is not None:
            return country_code(country), zone
    fallback = owner_zone(opportunity)
    return zone_country(opportunity.owner.time_zone), fallback
