"""Loan monitoring: each loan's position on a day (schedule, arrears, write-off), aging, arrears."""
