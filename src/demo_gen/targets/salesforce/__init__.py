"""The Salesforce org as a target: simple-salesforce, SOQL, collections."""
