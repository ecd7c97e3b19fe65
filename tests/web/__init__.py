"""Tests of the web platform (a package, so its module names cannot collide with
tests/voting: both have a conftest.py and a test_browser.py)."""
