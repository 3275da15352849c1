"""Links reversed once per pattern and reused: the same links as reverse(), under a script prefix too."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from jiceng.core.reversing import pk_url, plain_url


@pytest.mark.parametrize("name", ["demands:demand_detail", "enterprises:enterprise_detail", "members:member_detail",
                                  "places:place_detail"])
@pytest.mark.parametrize("pk", [1, 42, 8642097531, 999_999_999_999])
def test_pk_url_is_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_links_keep_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/jiceng/")
        assert pk_url("demands:demand_detail", 7) == "/jiceng/demands/7/" == reverse("demands:demand_detail", args=[7])
        assert plain_url("demands:demand_list") == reverse("demands:demand_list") == "/jiceng/demands/"
    finally:
        clear_script_prefix()
    assert pk_url("demands:demand_detail", 7) == "/demands/7/"
    assert plain_url("demands:demand_list") == "/demands/"


def test_a_key_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        pk_url("demands:demand_detail", "7/../../admin")
