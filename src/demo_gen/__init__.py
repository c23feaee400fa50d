"""demo-gen: idempotent CRM seeding for Salesforce demo orgs."""

__version__ = "0.1.0"
