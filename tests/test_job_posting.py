"""The JobPosting JSON-LD of every open project, checked against what Google documents, not against our output.

The lists below are copied from Google Search Central, "Job posting (JobPosting) structured data for Job
Search", https://developers.google.com/search/docs/appearance/structured-data/job-posting (the property
tables under "Structured data type definitions"). They are the external truth: change them only when
that page changes.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pycountry
import pytest

from site_builder.build import build
from site_builder.eligibility import eligible_countries
from tests.site_files import EXAMPLE_DATE, copy_example_board

# employmentType: "Use one or more of the following case-sensitive values".
GOOGLE_EMPLOYMENT_TYPES = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}
# baseSalary.value.unitText: "Use one of the following case-sensitive values".
GOOGLE_SALARY_UNITS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}
# jobLocationType: "Set this value to TELECOMMUTE for jobs in which the employee may or must work remotely 100% of the time".
GOOGLE_JOB_LOCATION_TYPES = {"TELECOMMUTE"}
# applicantLocationRequirements: an AdministrativeArea, in Google's examples a Country or a State.
GOOGLE_APPLICANT_AREAS = {"Country", "State"}
# Required properties; jobLocation is required unless the job is TELECOMMUTE with applicantLocationRequirements.
GOOGLE_REQUIRED = {"title", "description", "datePosted", "hiringOrganization"}
# datePosted and validThrough: ISO 8601; a date and time in validThrough carries its UTC offset, "2017-02-24T19:33:17+00:00".
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATE_TIME_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def postings(output, projects) -> dict[str, dict]:
    """The one JSON-LD block of each project's page, by slug (an error if a page has several)."""
    found = {}
    for project in projects:
        blocks = JSON_LD.findall((output / project.path / "index.html").read_text(encoding="utf-8"))
        assert len(blocks) <= 1, project.path
        if blocks:
            found[project.brief.slug] = json.loads(blocks[0])
    return found


def is_absolute_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def test_every_open_project_has_a_posting_in_googles_documented_values(example_build):
    output, result = example_build
    site = result.site
    found = postings(output, site.projects)
    assert set(found) == {p.brief.slug for p in site.open}, "exactly the open projects carry a JobPosting"
    kinds = {(p.brief.compensation.type, p.brief.remote) for p in site.open}
    assert kinds == {("fixed", True), ("fixed", False), ("hourly", True), ("hourly", False)}, "the example covers every kind"
    zone = ZoneInfo(site.config.timezone)
    for project in site.open:
        brief, posting = project.brief, found[project.brief.slug]
        where = brief.slug
        assert posting["@type"] == "JobPosting" and GOOGLE_REQUIRED <= posting.keys(), where
        assert set(posting["employmentType"]) <= GOOGLE_EMPLOYMENT_TYPES, where
        assert ISO_DATE.match(posting["datePosted"]) and posting["datePosted"] == brief.posted.isoformat(), where
        assert ISO_DATE_TIME_WITH_OFFSET.match(posting["validThrough"]), where
        assert datetime.fromisoformat(posting["validThrough"]) == datetime.combine(brief.deadline, time(23, 59, 59), zone), where
        assert isinstance(posting["directApply"], bool), where

        organization = posting["hiringOrganization"]
        assert organization["name"] == brief.company.name, where
        if brief.company.logo:
            assert is_absolute_https(organization["logo"]), where
            assert organization["logo"].startswith(site.config.base_url), where
            assert (output / organization["logo"].removeprefix(site.config.base_url)).is_file(), where
        else:
            assert "logo" not in organization, where
        assert organization.get("sameAs") == brief.company.url, where

        pay = brief.compensation
        if "baseSalary" in posting:
            salary = posting["baseSalary"]
            assert salary["@type"] == "MonetaryAmount" and pycountry.currencies.get(alpha_3=salary["currency"]), where
            assert salary["value"]["@type"] == "QuantitativeValue", where
            assert salary["value"]["unitText"] in GOOGLE_SALARY_UNITS, where
            assert (pay.type, salary["currency"], Decimal(str(salary["value"]["value"]))) == ("hourly", pay.currency, pay.amount), where
        else:
            # Fixed pay has no unit Google takes; it is stated in the description instead, as the page states it.
            assert pay.type == "fixed", where
        assert f"{brief.hours} hours" in posting["description"], where

        if brief.remote:
            assert posting["jobLocationType"] in GOOGLE_JOB_LOCATION_TYPES, where
            if "anywhere" in brief.countries:  # the property is "required if applicants may be located in one or more" places
                assert "applicantLocationRequirements" not in posting, where
                continue
            areas = posting["applicantLocationRequirements"]
            assert {area["@type"] for area in areas} <= GOOGLE_APPLICANT_AREAS, where
            names = [area["name"] for area in areas]
            assert all(pycountry.countries.get(alpha_2=name) for name in names) and len(set(names)) == len(names), where
            assert set(names) == eligible_countries(brief.countries), where
        else:
            assert "jobLocationType" not in posting, where
            address = posting["jobLocation"]["address"]
            assert posting["jobLocation"]["@type"] == "Place" and address["@type"] == "PostalAddress", where
            # addressCountry: "The country ... in 2-letter ISO 3166-1 alpha-2 country code format".
            assert pycountry.countries.get(alpha_2=address["addressCountry"]), where
            assert address["addressLocality"] and address["addressLocality"] in brief.location, where


def test_fixed_pay_is_stated_in_the_posting_description(example_build):
    output, result = example_build
    found = postings(output, result.site.open)
    for project in result.site.open:
        if project.brief.compensation.type == "fixed":
            page = (output / project.path / "index.html").read_text(encoding="utf-8")
            pay = re.search(r'<dd class="fact-pay">(.*?)</dd>', page).group(1)  # the pay as the page states it
            assert pay in found[project.brief.slug]["description"], project.brief.slug


@pytest.mark.parametrize(("zone", "offset"), [("America/New_York", "-05:00"), ("Asia/Kolkata", "+05:30")])
def test_valid_through_carries_the_offset_of_the_boards_timezone(tmp_path, zone, offset):
    root = copy_example_board(tmp_path / "board")
    toml = root / "site.toml"
    toml.write_text(re.sub(r'(?m)^timezone = .*$', f'timezone = "{zone}"', toml.read_text(encoding="utf-8")), encoding="utf-8")
    result = build(root, tmp_path / "public", date.fromisoformat(EXAMPLE_DATE), search=False, use_cache=False)
    project = next(p for p in result.site.open if p.brief.slug == "acme-crm-cleanup")
    posting = postings(tmp_path / "public", [project])["acme-crm-cleanup"]
    assert posting["validThrough"] == f"{project.brief.deadline.isoformat()}T23:59:59{offset}"
