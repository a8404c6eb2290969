"""GitLab access levels are named with python-gitlab's constants when the API gives only the number."""

from wafops.collectors.platforms.gitlab.mapping import _describe, access_level_name


def test_access_levels_are_named():
    assert access_level_name(40) == "Maintainers" and access_level_name(30) == "Developers"
    assert access_level_name(0) == "No one" and access_level_name("x") == "x"
    assert _describe([{"access_level": 40}, {"access_level": 30, "access_level_description": "Devs + Maintainers"},
                      {"user_id": 7, "access_level": 40}]) == ["Maintainers", "Devs + Maintainers", "user"]
