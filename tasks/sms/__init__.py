"""The weekly sesame-market SMS: calendar, composition, encoding, outbox, gateways and delivery reports."""
