"""Org settings of the local org, kept in its database: what `org init` switched on or off.

Two settings change what the org does with writes, as the same settings do in a real org:

* `shared_activities` — Setup › Activity Settings › "Allow Users to Relate Multiple Contacts to
  Tasks and Events" (Shared Activities). On: an Event's WhoId is also an EventRelation row with
  IsParent = true (see `rules_relations`). `org init` switches it on, as a modern org has it;
  `--no-shared-activities` leaves it off. A database that never stored it reads as off.
* `set_audit_fields` — the user permission "Set Audit Fields upon Record Creation"
  (PermissionsCreateAuditFields). On: CreatedDate, CreatedById, LastModifiedDate and
  LastModifiedById can be given on insert (see `rules_audit`), and describe reports them as
  createable. Default ON in the local org (the admin user has it), `org init
  --no-set-audit-fields` turns it off.

A database written before these settings existed reads as the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo_gen.local_org.store.core import Store

_KEYS = {"shared_activities": "setting.shared_activities", "set_audit_fields": "setting.audit"}


@dataclass(frozen=True)
class OrgSettings:
    """The org's settings (see the module docstring)."""

    shared_activities: bool = False
    set_audit_fields: bool = True

    @classmethod
    def read(cls, store: Store) -> OrgSettings:
        """The settings stored in *store*, defaults for those never written."""
        default = cls()
        values = {
            name: store.meta(key, "1" if getattr(default, name) else "0") == "1"
            for name, key in _KEYS.items()
        }
        return cls(**values)

    def write(self, store: Store) -> None:
        """Store these settings in *store* (committed at once)."""
        for name, key in _KEYS.items():
            store.set_meta(key, "1" if getattr(self, name) else "0")

    def describe(self) -> str:
        """One line for people, e.g. `shared activities off, set audit fields on`."""
        on = {True: "on", False: "off"}
        return (
            f"shared activities {on[self.shared_activities]}, "
            f"set audit fields {on[self.set_audit_fields]}"
        )
