"""Regenerate python-holidays-2020-2035.json, the independent reference for
the differential test in tests/differential.rs.

    python3 -m venv /tmp/holidays-venv
    /tmp/holidays-venv/bin/pip install holidays==0.109
    /tmp/holidays-venv/bin/python generate.py > python-holidays-2020-2035.json

The output is deterministic for a given `holidays` version: sorted by
country, then date, then name, with English names.
"""

import json
import sys

import holidays

COUNTRIES = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH US"
).split()
YEARS = range(2020, 2036)

# 5 U.S.C. 6103(a); anything else in the US list would be a state or
# government-only day and would make the fixture a wrong reference.
US_FEDERAL = {
    "New Year's Day",
    "Martin Luther King Jr. Day",
    "Washington's Birthday",
    "Memorial Day",
    "Juneteenth National Independence Day",
    "Independence Day",
    "Labor Day",
    "Columbus Day",
    "Veterans Day",
    "Thanksgiving Day",
    "Christmas Day",
}


def main() -> None:
    rows = []
    for cc in COUNTRIES:
        calendar = holidays.country_holidays(
            cc, years=YEARS, categories=("public",), language="en_US"
        )
        us_names = {year: set() for year in YEARS}
        for date, name in calendar.items():
            if cc == "US":
                for part in name.split("; "):
                    base = part.removesuffix(" (observed)")
                    if base not in US_FEDERAL:
                        sys.exit(f"unexpected US holiday {part!r} on {date}")
                    us_names[date.year].add(base)
            rows.append({"country": cc, "date": date.isoformat(), "name": name})
        if cc == "US":
            for year, names in us_names.items():
                # Juneteenth became a federal holiday in 2021.
                expected = US_FEDERAL - ({"Juneteenth National Independence Day"} if year < 2021 else set())
                if names != expected:
                    sys.exit(f"US {year}: missing {sorted(expected - names)}")
    rows.sort(key=lambda r: (r["country"], r["date"], r["name"]))
    # One holiday a line keeps a regeneration's diff readable.
    out = sys.stdout
    out.write("{\n")
    out.write(f'"holidays_version": {json.dumps(holidays.__version__)},\n')
    out.write(f'"years": [{YEARS.start}, {YEARS.stop - 1}],\n')
    out.write('"holidays": [\n')
    out.write(",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    out.write("\n]\n}\n")


if __name__ == "__main__":
    main()
