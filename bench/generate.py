"""Write a synthetic board of N realistic, valid briefs, the same for the same seed.

Six categories, about 40 skills, a few hundred companies, 300-600 word bodies with the Markdown employers
write (headings, lists, emphasis, links, now and then a table or a code block). The theme (layouts/, static/)
and content/pages/ are copied from the repository, so the bench measures the real board.

    python bench/generate.py 10000 /dev/shm/board-10000
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The bench builds as of this date. Briefs are posted at a steady rate over the days before it, as on a
# board with a history: about a thousand are open at any time, and the rest of a big board is closed.
BUILD_DATE = date(2026, 11, 25)
OPEN_AT_ONCE = 1000  # briefs open on BUILD_DATE, about, once the board has more than a few thousand
MEAN_DAYS_OPEN = 52  # a brief's deadline is 14 to 90 days after it is posted
CATEGORIES = {
    "research": "Research", "data": "Data", "writing": "Writing",
    "software": "Software", "design": "Design", "marketing": "Marketing",
}
SKILLS = [
    "Python", "SQL", "Excel", "pandas", "Statistics", "R", "Tableau", "Data cleaning", "JavaScript", "TypeScript",
    "React", "HTML", "CSS", "Django", "Flask", "C#", "C++", "Go", "Rust", "Git", "Figma", "Illustrator",
    "Photoshop", "Typography", "UX research", "Interviewing", "Survey design", "Copywriting", "Editing",
    "SEO", "Social media", "Email marketing", "Google Analytics", "Market research", "Literature review",
    "Technical writing", "Translation", "Video editing", "Public speaking", "Project planning",
]
WORDS = (
    "customer data project team analysis report research market product user survey interview design "
    "brand content campaign audience results insight process workflow tool spreadsheet database dashboard "
    "prototype feedback review draft deliverable timeline week meeting summary recommendation finding "
    "chart table record source method sample question answer goal plan budget launch release feature "
    "page article post newsletter guide checklist template script test fix issue improvement growth "
    "community volunteer donor patient clinic student school city region partner supplier order invoice"
).split()
CONTRACTIONS = ["we're", "you'll", "don't", "it's", "isn't", "they've", "we'd", "customers'"]
VERBS = "review clean analyse draft write build design test document compare summarise prepare map present".split()
CURRENCIES = [("USD", 25), ("EUR", 22), ("GBP", 20), ("CAD", 25), ("INR", 600)]
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "NL", "IE", "IN", "ES", "SE", "PL", "PT"]
CITIES = [("Berlin", "DE"), ("London", "GB"), ("Toronto", "CA"), ("Austin", "US"), ("Dublin", "IE"), ("Lyon", "FR")]
SITE_TOML = '''title = "Bench Board"
description = "A synthetic board for measuring build speed."
base_url = "https://example.org/board/"
language = "en"
timezone = "UTC"
per_page = 20
closing_soon_days = 3

[feeds]
items = 50

[policy]
min_hourly_rate = { USD = 20, EUR = 18, GBP = 16, CAD = 25, INR = 600 }

[board]
maintainers = ["board-admin"]
'''


def sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = rng.choice(["**" + words[index] + "**", "*" + words[index] + "*", "`" + words[index] + "`"])
    if rng.random() < 0.1:
        words.append(f"([details](https://example.org/{rng.choice(WORDS)}))")
    if rng.random() < 0.25:  # real prose has apostrophes, quotes and dashes: the smart-punctuation pass works on them
        words.insert(rng.randrange(len(words)), rng.choice(CONTRACTIONS))
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), f'"{rng.choice(WORDS)} {rng.choice(WORDS)}"')
    if rng.random() < 0.05:
        words.insert(rng.randrange(1, len(words)), "--")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "!", "?"])


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def body(rng: random.Random, skills: list[str]) -> str:
    """A brief's Markdown: sections with paragraphs and lists, 300 to 600 words."""
    target = rng.randint(300, 600)
    sections = [f"## Context\n\n{paragraph(rng, 4)}"]
    deliverable = "\n".join(f"- {rng.choice(VERBS).capitalize()} the {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(rng.randint(3, 6)))
    sections.append(f"## The deliverable\n\n{paragraph(rng, 2)}\n\n{deliverable}")
    if rng.random() < 0.15:
        rows = "\n".join(f"| Week {n} | {rng.choice(VERBS)} the {rng.choice(WORDS)} | {rng.randint(2, 10)} |" for n in range(1, 5))
        sections.append(f"## Timeline\n\n| When | What | Hours |\n|:-----|:-----|-----:|\n{rows}")
    if rng.random() < 0.1:
        sections.append(f"## Example\n\n```python\nrecords = load('{rng.choice(WORDS)}.csv')\nprint(len(records))\n```")
    sections.append("## Skills you'll use\n\n" + ", ".join(skills or ["curiosity"]) + ". " + paragraph(rng, 2))
    success = "\n".join(f"{n}. {sentence(rng, 6, 12)}" for n in range(1, rng.randint(3, 5)))
    sections.append(f"## What success looks like\n\n{success}")
    text = "\n\n".join(sections)
    while len(text.split()) < target:
        text += "\n\n" + paragraph(rng, rng.randint(2, 5))
    return text + "\n"


def brief(rng: random.Random, number: int, companies: list[str], history_days: int) -> tuple[str, str]:
    """One brief's slug and file text, posted up to `history_days` before the build date (or 10 after)."""
    company = rng.choice(companies)
    category = rng.choice(list(CATEGORIES))
    skills = rng.sample(SKILLS, rng.randint(1, 5))
    hours = rng.randint(5, 40)
    currency, floor = rng.choice(CURRENCIES)
    hourly = rng.random() < 0.4
    rate = floor + rng.randint(0, 30)
    amount = rate if hourly else rate * hours
    posted = BUILD_DATE - timedelta(days=rng.randint(-10, history_days))
    deadline = posted + timedelta(days=rng.randint(14, 90))
    remote = rng.random() < 0.8
    slug = f"{company.lower().replace(' ', '-')}-{rng.choice(VERBS)}-{rng.choice(WORDS)}-{number}"
    where = (f"countries: [{', '.join(sorted(rng.sample(COUNTRIES, rng.randint(1, 4))))}]\n" if remote else
             "countries: [{1}]\nlocation: {0}, {1}\n".format(*rng.choice(CITIES)))
    front = (
        f"---\ntitle: {rng.choice(VERBS).capitalize()} our {rng.choice(WORDS)} {rng.choice(WORDS)} for the {rng.choice(WORDS)} team\n"
        f"company:\n  name: {company}\n  url: https://{company.lower().replace(' ', '-')}.example\n"
        f"category: {category}\nskills: [{', '.join(skills)}]\nhours: {hours}\n"
        f"compensation:\n  amount: {amount}\n  currency: {currency}\n  type: {'hourly' if hourly else 'fixed'}\n"
        f"remote: {'true' if remote else 'false'}\n{where}"
        f"posted: {posted.isoformat()}\ndeadline: {deadline.isoformat()}\n"
        f"apply: https://jobs.example/{slug}\nmaintainers: [hiring-{number % 97}]\n---\n"
    )
    return slug, front + body(rng, skills)


def generate(count: int, folder: Path, seed: int = 7) -> Path:
    """Write a board of `count` briefs into `folder` (emptied first) and return it."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    projects = folder / "content" / "projects"
    projects.mkdir(parents=True)
    categories = "".join(f'\n[categories.{key}]\ntitle = "{title}"\ndescription = "{title} projects."\n'
                         for key, title in CATEGORIES.items())
    (folder / "site.toml").write_text(SITE_TOML + categories)
    for part in ("layouts", "static", "content/pages"):
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, folder / part)
    syllables = ["ac", "me", "no", "va", "lu", "men", "kes", "trel", "fjo", "rd", "ti", "de", "wa", "ter", "bri", "ght"]
    companies = sorted({"".join(rng.sample(syllables, 3)).capitalize() + rng.choice([" Labs", " Analytics", " Studio", " Co", ""])
                        for _ in range(max(3, count // 20))})
    # 1,000 briefs over 120 days (about 40% open), 10,000 over 520 days and 100,000 over 14 years (about 1,000 open).
    history_days = max(120, count * MEAN_DAYS_OPEN // OPEN_AT_ONCE)
    for number in range(count):
        slug, text = brief(rng, number, companies, history_days)
        (projects / f"{slug}.md").write_text(text)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="how many briefs")
    parser.add_argument("folder", type=Path, help="where to write the board (emptied first)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.count, args.folder, args.seed)
    print(f"wrote {args.count} briefs to {args.folder}")


if __name__ == "__main__":
    main()
