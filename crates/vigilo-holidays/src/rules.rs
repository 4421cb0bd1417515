//! The national public holidays of the EU and EEA states and Switzerland, as data.
//!
//! Written by hand: the one Rust crate that lists such holidays (`holidays`) is a
//! table generated from the Python `holidays` package for a fixed span of years,
//! on chrono, behind global state; it could neither compute 1900..=2199 nor serve
//! as anything but a copy of the reference that the differential test checks
//! these tables against.
//!
//! Each country is a list of entries: a fixed date, an offset from its church's
//! Easter, or the first given weekday on or after a date, each valid over a span of
//! years so that statutory changes (Denmark's Store Bededag abolished from 2024,
//! Poland's Christmas Eve from 2025, …) are data, not code. Rule changes are
//! encoded where a statute changed from about 1990 on; for earlier years the
//! tables give roughly the rules of 1990, which no deadline computation needs.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};

use crate::Holiday;
use crate::easter::{easter, orthodox_easter};

/// Which Easter a country's movable holidays follow.
#[derive(Clone, Copy)]
enum Church {
    Western,
    Orthodox,
}

#[derive(Clone, Copy)]
enum Rule {
    Fixed(i8, i8),
    /// Days from Easter Sunday.
    Easter(i16),
    /// The first such weekday on or after the month and day: the nth weekday of a
    /// month starts at day 1 + 7(n-1), the last Monday of May at the 25th.
    WeekdayFrom(i8, i8, Weekday),
    /// A rule none of the above can say; given the year and its Easter Sunday.
    Custom(fn(i16, Date) -> Date),
}

impl Rule {
    fn date(self, year: i16, easter: Date) -> Date {
        match self {
            Rule::Fixed(month, day) => date(year, month, day),
            Rule::Easter(offset) => easter.saturating_add(offset.days()),
            Rule::WeekdayFrom(month, day, weekday) => on_or_after(date(year, month, day), weekday),
            Rule::Custom(rule) => rule(year, easter),
        }
    }
}

/// What becomes of a holiday that falls on a weekend.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Weekend {
    Stays,
    /// The next day that is neither a weekend day nor a holiday is a holiday too
    /// (Bulgaria's Labour Code art. 154, Latvia's holiday law, Greece's May Day).
    NextWorkingDay,
    /// Spain: a national holiday on a Sunday is moved by each autonomous community
    /// as it chooses (Estatuto de los Trabajadores art. 37.2), so that year has no
    /// national date for it.
    DroppedOnSunday,
}

#[derive(Clone, Copy)]
struct Entry {
    name: &'static str,
    rule: Rule,
    from: i16,
    until: i16,
    weekend: Weekend,
}

impl Entry {
    const fn new(name: &'static str, rule: Rule) -> Entry {
        Entry {
            name,
            rule,
            from: i16::MIN,
            until: i16::MAX,
            weekend: Weekend::Stays,
        }
    }

    const fn from(self, year: i16) -> Entry {
        Entry { from: year, ..self }
    }

    const fn until(self, year: i16) -> Entry {
        Entry {
            until: year,
            ..self
        }
    }

    /// A holiday enacted for one year only.
    const fn only(self, year: i16) -> Entry {
        Entry {
            from: year,
            until: year,
            ..self
        }
    }

    const fn substituted(self) -> Entry {
        Entry {
            weekend: Weekend::NextWorkingDay,
            ..self
        }
    }

    const fn dropped_on_sunday(self) -> Entry {
        Entry {
            weekend: Weekend::DroppedOnSunday,
            ..self
        }
    }
}

const fn fixed(month: i8, day: i8, name: &'static str) -> Entry {
    Entry::new(name, Rule::Fixed(month, day))
}

const fn easter_day(offset: i16, name: &'static str) -> Entry {
    Entry::new(name, Rule::Easter(offset))
}

const fn weekday_from(month: i8, day: i8, weekday: Weekday, name: &'static str) -> Entry {
    Entry::new(name, Rule::WeekdayFrom(month, day, weekday))
}

const fn custom(rule: fn(i16, Date) -> Date, name: &'static str) -> Entry {
    Entry::new(name, Rule::Custom(rule))
}

struct Country {
    code: &'static str,
    church: Church,
    /// First year in which `Weekend::NextWorkingDay` entries get their extra day.
    substitutes_since: i16,
    entries: &'static [Entry],
}

const fn country(code: &'static str, entries: &'static [Entry]) -> Country {
    Country {
        code,
        church: Church::Western,
        substitutes_since: i16::MAX,
        entries,
    }
}

impl Country {
    const fn orthodox(self) -> Country {
        Country {
            church: Church::Orthodox,
            ..self
        }
    }

    const fn substitutes_since(self, year: i16) -> Country {
        Country {
            substitutes_since: year,
            ..self
        }
    }
}

const NEW_YEAR: Entry = fixed(1, 1, "New Year's Day");
const EPIPHANY: Entry = fixed(1, 6, "Epiphany");
const LABOUR_DAY: Entry = fixed(5, 1, "Labour Day");
const ASSUMPTION: Entry = fixed(8, 15, "Assumption Day");
const ALL_SAINTS: Entry = fixed(11, 1, "All Saints' Day");
const IMMACULATE_CONCEPTION: Entry = fixed(12, 8, "Immaculate Conception");
const CHRISTMAS_EVE: Entry = fixed(12, 24, "Christmas Eve");
const CHRISTMAS: Entry = fixed(12, 25, "Christmas Day");
const ST_STEPHEN: Entry = fixed(12, 26, "St Stephen's Day");
const SECOND_CHRISTMAS: Entry = fixed(12, 26, "Second Day of Christmas");

const GREEN_MONDAY: Entry = easter_day(-48, "Green Monday");
const MAUNDY_THURSDAY: Entry = easter_day(-3, "Maundy Thursday");
const GOOD_FRIDAY: Entry = easter_day(-2, "Good Friday");
const HOLY_SATURDAY: Entry = easter_day(-1, "Holy Saturday");
const EASTER_SUNDAY: Entry = easter_day(0, "Easter Sunday");
const EASTER_MONDAY: Entry = easter_day(1, "Easter Monday");
const ASCENSION: Entry = easter_day(39, "Ascension Day");
const WHIT_SUNDAY: Entry = easter_day(49, "Whit Sunday");
const WHIT_MONDAY: Entry = easter_day(50, "Whit Monday");
const CORPUS_CHRISTI: Entry = easter_day(60, "Corpus Christi");

const COUNTRIES: &[Country] = &[
    country(
        "AT",
        &[
            NEW_YEAR,
            EPIPHANY,
            EASTER_MONDAY,
            LABOUR_DAY,
            ASCENSION,
            WHIT_MONDAY,
            CORPUS_CHRISTI,
            ASSUMPTION,
            fixed(10, 26, "National Day").from(1967),
            ALL_SAINTS,
            IMMACULATE_CONCEPTION,
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    country(
        "BE",
        &[
            NEW_YEAR,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            fixed(7, 21, "National Day"),
            ASSUMPTION,
            ALL_SAINTS,
            fixed(11, 11, "Armistice Day"),
            CHRISTMAS,
        ],
    ),
    // Labour Code art. 154(2) as amended in State Gazette 105/2016.
    country(
        "BG",
        &[
            NEW_YEAR.substituted(),
            fixed(3, 3, "Liberation Day").substituted(),
            GOOD_FRIDAY.from(2010),
            HOLY_SATURDAY.from(2010),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY.substituted(),
            fixed(5, 6, "St George's Day").from(1999).substituted(),
            fixed(
                5,
                24,
                "Day of the Bulgarian Alphabet, Enlightenment and Culture",
            )
            .substituted(),
            fixed(9, 6, "Unification Day").from(1998).substituted(),
            fixed(9, 22, "Independence Day").from(1998).substituted(),
            CHRISTMAS_EVE.from(1996).substituted(),
            CHRISTMAS.substituted(),
            SECOND_CHRISTMAS.substituted(),
        ],
    )
    .orthodox()
    .substitutes_since(2017),
    country(
        "HR",
        &[
            NEW_YEAR,
            EPIPHANY.until(2001),
            EPIPHANY.from(2003),
            EASTER_SUNDAY.from(2009),
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(5, 30, "Statehood Day").from(1996).until(2001),
            fixed(5, 30, "Statehood Day").from(2020),
            fixed(6, 25, "Statehood Day").from(2002).until(2019),
            CORPUS_CHRISTI.from(2002),
            fixed(6, 22, "Anti-Fascist Struggle Day"),
            fixed(8, 5, "Victory and Homeland Thanksgiving Day"),
            ASSUMPTION,
            fixed(10, 8, "Independence Day").from(2002).until(2019),
            ALL_SAINTS,
            fixed(11, 18, "Remembrance Day").from(2020),
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    country(
        "CY",
        &[
            NEW_YEAR,
            EPIPHANY,
            GREEN_MONDAY,
            fixed(3, 25, "Greek Independence Day"),
            fixed(4, 1, "Cyprus National Day"),
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            WHIT_MONDAY,
            ASSUMPTION,
            fixed(10, 1, "Cyprus Independence Day").from(1979),
            fixed(10, 28, "Ohi Day"),
            CHRISTMAS,
            fixed(12, 26, "Day after Christmas"),
        ],
    )
    .orthodox(),
    country(
        "CZ",
        &[
            NEW_YEAR,
            fixed(1, 1, "Restoration Day of the Independent Czech State").from(2000),
            GOOD_FRIDAY.from(2016),
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(5, 8, "Liberation Day").from(1992),
            fixed(7, 5, "Saints Cyril and Methodius Day").from(1990),
            fixed(7, 6, "Jan Hus Day").from(1990),
            fixed(9, 28, "St Wenceslas Day (Czech Statehood Day)").from(2000),
            fixed(10, 28, "Independent Czechoslovak State Day"),
            fixed(11, 17, "Struggle for Freedom and Democracy Day").from(1990),
            CHRISTMAS_EVE,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "DK",
        &[
            NEW_YEAR,
            MAUNDY_THURSDAY,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            // Abolished by act no. 214 of 6 March 2023.
            easter_day(26, "Great Prayer Day").until(2023),
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "EE",
        &[
            NEW_YEAR,
            fixed(2, 24, "Independence Day"),
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            fixed(5, 1, "Spring Day"),
            WHIT_SUNDAY,
            fixed(6, 23, "Victory Day"),
            fixed(6, 24, "Midsummer Day"),
            fixed(8, 20, "Day of Restoration of Independence").from(1998),
            CHRISTMAS_EVE.from(2005),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "FI",
        &[
            NEW_YEAR,
            EPIPHANY,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            fixed(5, 1, "May Day"),
            ASCENSION,
            WHIT_SUNDAY,
            weekday_from(6, 19, Weekday::Friday, "Midsummer Eve"),
            weekday_from(6, 20, Weekday::Saturday, "Midsummer Day"),
            weekday_from(10, 31, Weekday::Saturday, "All Saints' Day"),
            fixed(12, 6, "Independence Day"),
            CHRISTMAS_EVE,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "FR",
        &[
            NEW_YEAR,
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(5, 8, "Victory in Europe Day").from(1982),
            ASCENSION,
            WHIT_MONDAY,
            fixed(7, 14, "National Day"),
            ASSUMPTION,
            ALL_SAINTS,
            fixed(11, 11, "Armistice Day"),
            CHRISTMAS,
        ],
    ),
    country(
        "DE",
        &[
            NEW_YEAR,
            GOOD_FRIDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            ASCENSION,
            WHIT_MONDAY,
            fixed(10, 3, "Day of German Unity").from(1990),
            // 500 years of the Reformation: nationwide by the Länder's laws, once.
            fixed(10, 31, "Reformation Day").only(2017),
            weekday_from(11, 16, Weekday::Wednesday, "Day of Repentance and Prayer").until(1994),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "GR",
        &[
            NEW_YEAR,
            EPIPHANY,
            GREEN_MONDAY,
            fixed(3, 25, "Independence Day"),
            GOOD_FRIDAY,
            EASTER_MONDAY,
            custom(greek_labour_day, "Labour Day").substituted(),
            WHIT_MONDAY,
            fixed(8, 15, "Dormition of the Mother of God"),
            fixed(10, 28, "Ohi Day"),
            CHRISTMAS,
            fixed(12, 26, "Synaxis of the Mother of God"),
        ],
    )
    .orthodox()
    .substitutes_since(i16::MIN),
    country(
        "HU",
        &[
            NEW_YEAR,
            fixed(3, 15, "National Day").from(1989),
            GOOD_FRIDAY.from(2017),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            WHIT_SUNDAY,
            WHIT_MONDAY.from(1992),
            fixed(8, 20, "State Foundation Day"),
            fixed(10, 23, "National Day").from(1991),
            ALL_SAINTS.from(1999),
            CHRISTMAS_EVE.from(2026),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "IE",
        &[
            NEW_YEAR.from(1975),
            custom(irish_st_brigids_day, "St Brigid's Day").from(2023),
            fixed(3, 17, "St Patrick's Day"),
            // A one-off public holiday for the COVID-19 front-line workers.
            fixed(3, 18, "Day of Remembrance and Recognition").only(2022),
            EASTER_MONDAY,
            weekday_from(5, 1, Weekday::Monday, "May Bank Holiday").from(1994),
            weekday_from(6, 1, Weekday::Monday, "June Bank Holiday").from(1973),
            weekday_from(8, 1, Weekday::Monday, "August Bank Holiday"),
            weekday_from(10, 25, Weekday::Monday, "October Bank Holiday").from(1977),
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    country(
        "IT",
        &[
            NEW_YEAR,
            EPIPHANY.until(1977),
            EPIPHANY.from(1986),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            fixed(4, 25, "Liberation Day"),
            LABOUR_DAY,
            fixed(6, 2, "Republic Day").from(2001),
            weekday_from(6, 1, Weekday::Sunday, "Republic Day")
                .from(1977)
                .until(2000),
            ASSUMPTION,
            // Restored as a national holiday by Law 151 of 2025.
            fixed(10, 4, "St Francis of Assisi").from(2026),
            ALL_SAINTS,
            // Law 54 of 1977 moved its celebration to the first Sunday of November.
            weekday_from(
                11,
                1,
                Weekday::Sunday,
                "National Unity and Armed Forces Day",
            )
            .from(1977),
            IMMACULATE_CONCEPTION,
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    // Amendment of 24 May 2007 to the law on holidays, remembrance and celebration days.
    country(
        "LV",
        &[
            NEW_YEAR,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY.from(1997),
            LABOUR_DAY,
            fixed(5, 1, "Convocation of the Constituent Assembly"),
            fixed(5, 4, "Restoration of Independence Day")
                .from(2002)
                .substituted(),
            weekday_from(5, 8, Weekday::Sunday, "Mother's Day"),
            // Acts of the Saeima adding one day each.
            fixed(5, 29, "Ice Hockey Bronze Medal Day").only(2023),
            WHIT_SUNDAY.from(1996),
            fixed(6, 23, "Midsummer Eve"),
            fixed(6, 24, "Midsummer Day"),
            fixed(7, 9, "Song and Dance Celebration Closing Day").only(2018),
            fixed(7, 10, "Song and Dance Celebration Closing Day").only(2023),
            fixed(9, 24, "Pastoral Visit of Pope Francis").only(2018),
            fixed(11, 18, "Proclamation Day of the Republic of Latvia").substituted(),
            CHRISTMAS_EVE.from(2007),
            CHRISTMAS,
            SECOND_CHRISTMAS,
            fixed(12, 31, "New Year's Eve"),
        ],
    )
    .substitutes_since(2007),
    country(
        "LT",
        &[
            NEW_YEAR,
            fixed(2, 16, "Day of Restoration of the State of Lithuania"),
            fixed(3, 11, "Day of Restoration of Independence"),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            weekday_from(5, 1, Weekday::Sunday, "Mother's Day"),
            weekday_from(6, 1, Weekday::Sunday, "Father's Day"),
            fixed(6, 24, "St John's Day").from(2003),
            fixed(7, 6, "Statehood Day").from(1991),
            ASSUMPTION,
            ALL_SAINTS,
            fixed(11, 2, "All Souls' Day").from(2020),
            CHRISTMAS_EVE,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "LU",
        &[
            NEW_YEAR,
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(5, 9, "Europe Day").from(2019),
            ASCENSION,
            WHIT_MONDAY,
            fixed(6, 23, "National Day"),
            ASSUMPTION,
            ALL_SAINTS,
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    country(
        "MT",
        &[
            NEW_YEAR,
            fixed(2, 10, "St Paul's Shipwreck").from(1987),
            fixed(3, 19, "St Joseph's Day").from(1987),
            fixed(3, 31, "Freedom Day"),
            GOOD_FRIDAY,
            fixed(5, 1, "Workers' Day"),
            fixed(6, 7, "Sette Giugno").from(1989),
            fixed(6, 29, "Saints Peter and Paul").from(1987),
            ASSUMPTION,
            fixed(9, 8, "Victory Day").from(1987),
            fixed(9, 21, "Independence Day").from(1987),
            IMMACULATE_CONCEPTION.from(1987),
            fixed(12, 13, "Republic Day"),
            CHRISTMAS,
        ],
    ),
    country(
        "NL",
        // The days of Algemene termijnenwet art. 3, the statute that moves Dutch
        // time limits: the list of para. 1 and Good Friday of para. 2.
        &[
            NEW_YEAR,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            custom(dutch_queens_day, "Queen's Day")
                .from(1949)
                .until(2013),
            custom(dutch_kings_day, "King's Day").from(2014),
            // Every year in the Atw, although many collective agreements give the
            // day off only every fifth year.
            fixed(5, 5, "Liberation Day").from(1982),
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "PL",
        &[
            NEW_YEAR,
            EPIPHANY.from(2011),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            fixed(5, 1, "State Holiday"),
            fixed(5, 3, "Constitution Day").from(1990),
            WHIT_SUNDAY,
            CORPUS_CHRISTI,
            ASSUMPTION.from(1989),
            ALL_SAINTS,
            fixed(11, 11, "Independence Day").from(1989),
            CHRISTMAS_EVE.from(2025),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "PT",
        // Four holidays were suspended from 2013 to 2015 (Law 23/2012).
        &[
            NEW_YEAR,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            fixed(4, 25, "Freedom Day").from(1974),
            LABOUR_DAY.from(1974),
            fixed(6, 10, "Portugal Day").from(1978),
            CORPUS_CHRISTI.until(2012),
            CORPUS_CHRISTI.from(2016),
            ASSUMPTION,
            fixed(10, 5, "Republic Day").until(2012),
            fixed(10, 5, "Republic Day").from(2016),
            ALL_SAINTS.until(2012),
            ALL_SAINTS.from(2016),
            fixed(12, 1, "Restoration of Independence").until(2012),
            fixed(12, 1, "Restoration of Independence").from(2016),
            IMMACULATE_CONCEPTION,
            CHRISTMAS,
        ],
    ),
    country(
        "RO",
        &[
            NEW_YEAR,
            fixed(1, 2, "Day after New Year's Day"),
            EPIPHANY.from(2024),
            fixed(1, 7, "St John the Baptist").from(2024),
            fixed(1, 24, "Union Day").from(2017),
            GOOD_FRIDAY.from(2018),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(6, 1, "Children's Day").from(2017),
            WHIT_SUNDAY.from(2009),
            WHIT_MONDAY.from(2009),
            fixed(8, 15, "Dormition of the Mother of God").from(2009),
            fixed(11, 30, "St Andrew's Day").from(2012),
            fixed(12, 1, "National Day"),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    )
    .orthodox(),
    country(
        "SK",
        // Law 261/2025 makes 17 November a working day from 2025, and 8 May and
        // 15 September in 2026 only.
        &[
            fixed(1, 1, "Day of the Establishment of the Slovak Republic"),
            EPIPHANY,
            GOOD_FRIDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            fixed(5, 8, "Day of Victory over Fascism")
                .from(1997)
                .until(2025),
            fixed(5, 8, "Day of Victory over Fascism").from(2027),
            fixed(7, 5, "Saints Cyril and Methodius Day"),
            fixed(8, 29, "Slovak National Uprising Anniversary"),
            // Law 530/2023 kept it as a state holiday but made it a working day.
            fixed(9, 1, "Constitution Day").until(2023),
            fixed(9, 15, "Our Lady of Seven Sorrows").until(2025),
            fixed(9, 15, "Our Lady of Seven Sorrows").from(2027),
            fixed(10, 30, "Centenary of the Declaration of the Slovak Nation").only(2018),
            ALL_SAINTS,
            fixed(11, 17, "Struggle for Freedom and Democracy Day")
                .from(2001)
                .until(2024),
            CHRISTMAS_EVE,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "SI",
        &[
            NEW_YEAR,
            fixed(1, 2, "New Year's Day").until(2012),
            fixed(1, 2, "New Year's Day").from(2017),
            fixed(2, 8, "Prešeren Day"),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            fixed(4, 27, "Day of Uprising Against Occupation"),
            LABOUR_DAY,
            fixed(5, 2, "Labour Day"),
            WHIT_SUNDAY,
            fixed(6, 25, "Statehood Day"),
            // After the floods of August 2023, by an act of the National Assembly.
            fixed(8, 14, "Solidarity Day").only(2023),
            ASSUMPTION,
            fixed(10, 31, "Reformation Day"),
            fixed(11, 1, "Day of Remembrance for the Dead"),
            CHRISTMAS,
            fixed(12, 26, "Independence and Unity Day"),
        ],
    ),
    country(
        "ES",
        // The national holidays only; Maundy Thursday is regional (not in Catalonia).
        &[
            NEW_YEAR.dropped_on_sunday(),
            EPIPHANY.dropped_on_sunday(),
            GOOD_FRIDAY,
            LABOUR_DAY.dropped_on_sunday(),
            ASSUMPTION.dropped_on_sunday(),
            fixed(10, 12, "National Day of Spain").dropped_on_sunday(),
            ALL_SAINTS.dropped_on_sunday(),
            fixed(12, 6, "Constitution Day").dropped_on_sunday(),
            IMMACULATE_CONCEPTION.dropped_on_sunday(),
            CHRISTMAS.dropped_on_sunday(),
        ],
    ),
    country(
        "SE",
        &[
            NEW_YEAR,
            EPIPHANY,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            fixed(5, 1, "May Day"),
            ASCENSION,
            WHIT_SUNDAY,
            // National Day replaced Whit Monday in 2005.
            WHIT_MONDAY.until(2004),
            fixed(6, 6, "National Day").from(2005),
            weekday_from(6, 20, Weekday::Saturday, "Midsummer Day"),
            weekday_from(10, 31, Weekday::Saturday, "All Saints' Day"),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "IS",
        &[
            NEW_YEAR,
            MAUNDY_THURSDAY,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            weekday_from(4, 19, Weekday::Thursday, "First Day of Summer"),
            LABOUR_DAY,
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            fixed(6, 17, "National Day"),
            weekday_from(8, 1, Weekday::Monday, "Commerce Day").from(1983),
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "LI",
        &[
            NEW_YEAR,
            EPIPHANY,
            fixed(2, 2, "Candlemas"),
            fixed(3, 19, "St Joseph's Day"),
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY,
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            CORPUS_CHRISTI,
            fixed(8, 15, "National Day"),
            fixed(9, 8, "Nativity of Mary"),
            ALL_SAINTS,
            IMMACULATE_CONCEPTION,
            CHRISTMAS,
            ST_STEPHEN,
        ],
    ),
    country(
        "NO",
        &[
            NEW_YEAR,
            MAUNDY_THURSDAY,
            GOOD_FRIDAY,
            EASTER_SUNDAY,
            EASTER_MONDAY,
            LABOUR_DAY.from(1947),
            fixed(5, 17, "Constitution Day").from(1947),
            ASCENSION,
            WHIT_SUNDAY,
            WHIT_MONDAY,
            CHRISTMAS,
            SECOND_CHRISTMAS,
        ],
    ),
    country(
        "CH",
        // Federal law knows only 1 August; the other three are holidays in every
        // canton. Good Friday, Easter Monday, Whit Monday and 26 December are
        // cantonal and not kept everywhere (Good Friday, for one, is a working day
        // in Valais and Ticino).
        &[
            NEW_YEAR,
            ASCENSION,
            fixed(8, 1, "National Day").from(1994),
            CHRISTMAS,
        ],
    ),
];

const SUPPORTED: [&str; COUNTRIES.len()] = {
    let mut codes = [""; COUNTRIES.len()];
    let mut i = 0;
    while i < COUNTRIES.len() {
        codes[i] = COUNTRIES[i].code;
        i += 1;
    }
    codes
};

pub(crate) fn supported() -> &'static [&'static str] {
    &SUPPORTED
}

/// The holidays of `code` in `year`, merged per date; `None` for a country
/// without a table. `year` must be one jiff can represent with room for Easter.
pub(crate) fn holidays(code: &str, year: i16) -> Option<Vec<Holiday>> {
    let country = COUNTRIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))?;
    let easter = match country.church {
        Church::Western => easter(year),
        Church::Orthodox => orthodox_easter(year),
    };
    let mut days: BTreeMap<Date, Vec<String>> = BTreeMap::new();
    let mut on_weekend = Vec::new();
    for entry in country
        .entries
        .iter()
        .filter(|e| (e.from..=e.until).contains(&year))
    {
        let day = entry.rule.date(year, easter);
        match entry.weekend {
            Weekend::DroppedOnSunday if day.weekday() == Weekday::Sunday => continue,
            Weekend::NextWorkingDay if year >= country.substitutes_since && is_weekend(day) => {
                on_weekend.push((day, entry.name));
            }
            _ => {}
        }
        days.entry(day).or_default().push(entry.name.to_owned());
    }
    // In date order, so that holidays on a Saturday and a Sunday get the Monday and
    // the Tuesday; a substitute never lands on another holiday or a substitute.
    on_weekend.sort();
    for (day, name) in on_weekend {
        let mut substitute = day.saturating_add(1.day());
        while is_weekend(substitute) || days.contains_key(&substitute) {
            substitute = substitute.saturating_add(1.day());
        }
        days.insert(substitute, vec![format!("{name} (observed)")]);
    }
    Some(
        days.into_iter()
            .map(|(date, names)| Holiday {
                date,
                name: names.join(" / "),
            })
            .collect(),
    )
}

pub(crate) fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn on_or_after(day: Date, weekday: Weekday) -> Date {
    day.saturating_add(i64::from(day.weekday().until(weekday)).days())
}

/// May Day that falls on a weekday of Holy Week, or on Easter Monday, is moved by
/// ministerial decision to the Tuesday after Easter, as it was in 2024; the rule
/// makes that precedent the default for the years it recurs in.
fn greek_labour_day(year: i16, easter: Date) -> Date {
    let may_day = date(year, 5, 1);
    let holy_week = easter.saturating_add((-6).days())..=easter.saturating_add(1.day());
    if holy_week.contains(&may_day) && !is_weekend(may_day) {
        easter.saturating_add(2.days())
    } else {
        may_day
    }
}

/// The first Monday of February, or 1 February itself when that is a Friday.
fn irish_st_brigids_day(year: i16, _easter: Date) -> Date {
    let first = date(year, 2, 1);
    if first.weekday() == Weekday::Friday {
        first
    } else {
        on_or_after(first, Weekday::Monday)
    }
}

/// 27 April, or the Saturday before when that is a Sunday.
fn dutch_kings_day(year: i16, _easter: Date) -> Date {
    let day = date(year, 4, 27);
    if day.weekday() == Weekday::Sunday {
        date(year, 4, 26)
    } else {
        day
    }
}

/// 30 April; on a Sunday, the Saturday before from 1980 and the Monday after until then.
fn dutch_queens_day(year: i16, _easter: Date) -> Date {
    let day = date(year, 4, 30);
    match (day.weekday(), year >= 1980) {
        (Weekday::Sunday, true) => date(year, 4, 29),
        (Weekday::Sunday, false) => date(year, 5, 1),
        _ => day,
    }
}
