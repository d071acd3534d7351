"""Alerts: a failed or crashed run tells a person, through a webhook, what failed, on which file and why."""
