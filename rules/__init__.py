"""Pure TD-CEU rules: fiscal years, hours, credit arithmetic, claims, strands, CTO Academy, reminder calendar.

Nothing here reads the clock or does I/O; `today` is always an argument.
"""
