//! How old a view's data is, in the words and the time zone the parent reads.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;

use crate::copy::{Lang, Text};

/// How old the data of a view is, in the words the app shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    pub fetched_at: Option<DateTime<Utc>>,
    /// "Dati aggiornati al 28/11/2026 alle 09:14" (Europe/Rome).
    pub label: String,
    /// The last refresh failed, or the data is older than the session's `stale_after`.
    pub stale: bool,
    /// The last refresh failed: the app shows its offline banner.
    pub last_refresh_failed: bool,
}

impl Freshness {
    pub fn never_fetched() -> Self {
        Freshness::never_fetched_in(Lang::It, false)
    }

    fn never_fetched_in(lang: Lang, last_refresh_failed: bool) -> Self {
        Freshness {
            fetched_at: None,
            label: lang.text(Text::DatiNonScaricati).to_owned(),
            stale: true,
            last_refresh_failed,
        }
    }

    pub(super) fn of(
        fetched_at: Option<DateTime<Utc>>,
        too_old: bool,
        last_refresh_failed: bool,
        lang: Lang,
    ) -> Self {
        match fetched_at {
            Some(at) => Freshness {
                fetched_at: Some(at),
                label: lang.updated_at(at),
                stale: too_old || last_refresh_failed,
                last_refresh_failed,
            },
            None => Freshness::never_fetched_in(lang, last_refresh_failed),
        }
    }
}

/// "Dati aggiornati al 28/11/2026 alle 09:14", in Italian local time.
pub fn aggiornato_label(at: DateTime<Utc>) -> String {
    Lang::It.updated_at(at)
}

/// Europe/Rome: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October (EU rule since 1996). Computed here rather than
/// shipping a whole time-zone database in the phone app for one zone.
pub fn rome_time(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let year = at.year();
    let summer_from = last_sunday_1am_utc(year, 3);
    let summer_until = last_sunday_1am_utc(year, 10);
    let hours = if summer_from.is_some_and(|s| at >= s) && summer_until.is_some_and(|u| at < u) {
        2
    } else {
        1
    };
    FixedOffset::east_opt(hours * 3600).map_or_else(|| at.fixed_offset(), |o| at.with_timezone(&o))
}

fn last_sunday_1am_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let last_day = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    let back = last_day.weekday().num_days_from_sunday();
    let sunday = last_day - chrono::Days::new(u64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(Utc.from_utc_datetime(&sunday.and_hms_opt(1, 0, 0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_label_is_in_italian_local_time_winter_and_summer() {
        assert_eq!(
            aggiornato_label(utc("2026-11-28T08:14:00Z")),
            "Dati aggiornati al 28/11/2026 alle 09:14"
        );
        assert_eq!(
            aggiornato_label(utc("2026-07-01T22:30:00Z")),
            "Dati aggiornati al 02/07/2026 alle 00:30"
        );
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_last_sundays_at_one_utc() {
        // 2026: 29 March and 25 October.
        assert_eq!(
            rome_time(utc("2026-03-29T00:59:59Z"))
                .offset()
                .local_minus_utc(),
            3600
        );
        assert_eq!(
            rome_time(utc("2026-03-29T01:00:00Z"))
                .offset()
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            rome_time(utc("2026-10-25T00:59:59Z"))
                .offset()
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            rome_time(utc("2026-10-25T01:00:00Z"))
                .offset()
                .local_minus_utc(),
            3600
        );
        // 2027: 28 March and 31 October.
        assert_eq!(
            rome_time(utc("2027-03-28T01:00:00Z"))
                .offset()
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            rome_time(utc("2027-10-31T00:30:00Z"))
                .offset()
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            rome_time(utc("2027-10-31T01:30:00Z"))
                .offset()
                .local_minus_utc(),
            3600
        );
    }
}
