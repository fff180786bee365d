//! Dates on the organization page: what the date inputs hold (`YYYY-MM-DD`, the phone's own
//! calendar) and how periods are shown (`ДД.ММ.ГГГГ`, as the server sends them: in the
//! service's time zone).

use chrono::{DateTime, FixedOffset, NaiveDate};

/// `ДД.ММ.ГГГГ`.
pub fn day(t: &DateTime<FixedOffset>) -> String {
    t.format("%d.%m.%Y").to_string()
}

/// `ДД.ММ.ГГГГ ЧЧ:ММ`.
pub fn day_time(t: &DateTime<FixedOffset>) -> String {
    t.format("%d.%m.%Y %H:%M").to_string()
}

/// `ДД.ММ.ГГГГ – ДД.ММ.ГГГГ`.
pub fn period(from: &DateTime<FixedOffset>, until: &DateTime<FixedOffset>) -> String {
    format!("{} – {}", day(from), day(until))
}

/// A date input's value moved by whole days.
pub fn add_days(input: &str, days: u64) -> Option<String> {
    let date = NaiveDate::parse_from_str(input, "%Y-%m-%d").ok()?;
    Some(
        date.checked_add_days(chrono::Days::new(days))?
            .format("%Y-%m-%d")
            .to_string(),
    )
}

/// The moment `h:m:s` of a date input's day on the phone's clock, with the phone's offset
/// (the server wants RFC 3339 with an offset).
pub fn local_moment(input: &str, h: u32, m: u32, s: u32) -> Option<DateTime<FixedOffset>> {
    use chrono::Datelike;
    let date = NaiveDate::parse_from_str(input, "%Y-%m-%d").ok()?;
    let local = js_sys::Date::new_with_year_month_day_hr_min_sec(
        u32::try_from(date.year()).ok()?,
        i32::try_from(date.month0()).ok()?,
        i32::try_from(date.day()).ok()?,
        i32::try_from(h).ok()?,
        i32::try_from(m).ok()?,
        i32::try_from(s).ok()?,
    );
    let ms = local.get_time();
    if !ms.is_finite() {
        return None;
    }
    // getTimezoneOffset: minutes to add to local time to get UTC (so Moscow is -180).
    let offset = FixedOffset::east_opt(-(local.get_timezone_offset() as i32) * 60)?;
    Some(DateTime::from_timestamp_millis(ms as i64)?.with_timezone(&offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_shown_the_russian_way() {
        let t = DateTime::parse_from_rfc3339("2025-03-07T09:05:00+03:00").unwrap();
        assert_eq!(day(&t), "07.03.2025");
        assert_eq!(day_time(&t), "07.03.2025 09:05");
    }

    #[test]
    fn date_inputs_move_by_days_across_years() {
        assert_eq!(add_days("2025-12-31", 1).as_deref(), Some("2026-01-01"));
        assert_eq!(add_days("2024-03-01", 365).as_deref(), Some("2025-03-01"));
        assert_eq!(add_days("not a date", 1), None);
    }
}
