"""Where applicants may be based: the CLDR containment the board ships is CLDR's, regions hold the countries
CLDR says at any depth."""

from __future__ import annotations

import json

import pycountry

from site_builder import eligibility
from tests.site_files import REPO

CLDR = REPO / "node_modules/cldr-core/supplemental/territoryContainment.json"


def cldr_countries(code: str, groups: dict) -> set[str]:
    """A region's ISO countries, read straight from cldr-core's JSON: every group of that code but deprecated ones."""
    parts = [p for key, group in groups.items() if key.split("-status-")[0] == code and not key.endswith("-deprecated")
             for p in group["_contains"]]
    if not parts:
        return {code} if pycountry.countries.get(alpha_2=code) else set()
    return set().union(*(cldr_countries(part, groups) for part in parts))


def test_the_shipped_containment_is_cldr_cores_file_unchanged():
    shipped = REPO / "site_builder/cldr/territoryContainment.json"
    assert shipped.read_bytes() == CLDR.read_bytes()


def test_every_region_holds_the_countries_cldr_lists_at_any_depth():
    groups = json.loads(CLDR.read_text(encoding="utf-8"))["supplemental"]["territoryContainment"]
    for region in eligibility.regions():
        assert eligibility.countries_in(region) == cldr_countries(region, groups), region
    assert {"FR", "DE", "IE"} <= eligibility.countries_in("EU") and "NO" not in eligibility.countries_in("EU")
    assert {"NO", "FR"} <= eligibility.countries_in("150") and "MX" in eligibility.countries_in("419")
    assert eligibility.countries_in("anywhere") == {c.alpha_2 for c in pycountry.countries}


def test_region_names_come_in_the_boards_language():
    assert eligibility.territory_name("150", "en") == "Europe"
    assert eligibility.territory_name("DE", "de") == "Deutschland"
    assert eligibility.territory_name("419", "fr") == "Amérique latine"

