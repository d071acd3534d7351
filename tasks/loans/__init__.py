"""Loan monitoring: each loan's position at a date (schedule, arrears, write-off), aging and the arrears list."""
