"""Big choices in the visit and agreement forms are searchable selects whose options come from the access
selectors: a confidential need the user may not see never appears; the assets are our own static files."""

from __future__ import annotations


def test_agreement_form_offers_only_needs_the_user_may_see(world, client_for):
    html = client_for("district").get("/followup/agreements/new/").content.decode()
    assert 'name="needs"' in html and "data-searchable" in html
    assert world.needs["pub_laixi"].title in html
    assert world.needs["conf_ent"].title not in html  # confidential, not the district's to see
    assert world.needs["secret_ent2"].title not in html
    assert "vendor/tom-select/tom-select.complete.min.js" in html and "//cdn" not in html


def test_visit_form_experts_are_a_searchable_multi_select(world, client_for):
    html = client_for("coordinator").get("/followup/visits/new/").content.decode()
    assert 'name="experts"' in html and "按住 Ctrl" not in html
    assert html.count("data-searchable") >= 3  # park, societies, experts (and each stop's enterprise)
