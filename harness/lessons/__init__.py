"""What one lab needs and no other: its tables, figures, tool runs and the check of its task.

A notebook imports its own module (`from harness.lessons import escape`); each function here is
tested like the rest of the harness (tests/test_lessons_*.py), so a notebook shows a few calls.
"""
