//! The report workbook: a sheet «Сканирования» with a title (organization, period), a header row
//! and one row per ledger entry: №, scan id, OGRN, date, time (service time zone), status; and a
//! sheet «По статусам» with the count per status kind and the total. The first sheet is written
//! in rust_xlsxwriter's constant-memory mode, so rows stream to a temporary file rather than
//! accumulating in memory; the counts are five numbers kept on the way.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
use statuspass_shared::StatusKind;

use crate::store::ledger::LedgerEntry;
use crate::store::organizations::Organization;

const HEADER: [&str; 6] = ["№", "ID сканирования", "ОГРН", "Дата", "Время", "Статус"];
const WIDTHS: [f64; 6] = [9.0, 40.0, 16.0, 12.0, 10.0, 30.0];
const FIRST_DATA_ROW: u32 = 3;
/// The name of the per-kind sheet.
pub const SUMMARY_SHEET: &str = "По статусам";
const SUMMARY_HEADER: [&str; 3] = ["Статус", "Код статуса", "Сканирований"];
const SUMMARY_WIDTHS: [f64; 3] = [30.0, 18.0, 14.0];

/// Builds one report workbook row by row.
pub struct ReportWorkbook {
    workbook: Workbook,
    tz: Tz,
    next_row: u32,
    date: Format,
    time: Format,
    header: Format,
    /// Rows per kind, in [`StatusKind::ALL`] order.
    per_kind: [u64; StatusKind::ALL.len()],
}

fn excel_date(t: DateTime<Tz>) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
}

fn excel_time(t: DateTime<Tz>) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_hms(t.hour() as u16, t.minute() as u8, f64::from(t.second()))
}

impl ReportWorkbook {
    /// Starts the workbook for `org` covering `[from, until)`; its rows spool to `scratch_dir`.
    pub fn new(
        org: &Organization,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: Tz,
        scratch_dir: &std::path::Path,
    ) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(scratch_dir)?;
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name("Сканирования")?;
        for (col, width) in WIDTHS.iter().enumerate() {
            sheet.set_column_width(col as u16, *width)?;
        }
        let fmt = |t: DateTime<Utc>| t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string();
        let title = format!(
            "Отчёт о подтверждениях льготных статусов: {} (ОГРН {}), период {} — {} ({})",
            org.short_name,
            org.ogrn,
            fmt(from),
            fmt(until),
            tz.name()
        );
        sheet.write_string_with_format(0, 0, &title, &Format::new().set_bold())?;
        sheet.write_string(1, 0, &org.full_name)?;
        let header = Format::new()
            .set_bold()
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin)
            .set_align(FormatAlign::Center);
        for (col, name) in HEADER.iter().enumerate() {
            sheet.write_string_with_format(2, col as u16, *name, &header)?;
        }
        Ok(Self {
            workbook,
            tz,
            next_row: FIRST_DATA_ROW,
            date: Format::new().set_num_format("dd.mm.yyyy"),
            time: Format::new().set_num_format("hh:mm:ss"),
            header,
            per_kind: [0; StatusKind::ALL.len()],
        })
    }

    /// Appends one ledger entry (entries must come oldest first).
    pub fn push(&mut self, entry: &LedgerEntry) -> Result<(), XlsxError> {
        let row = self.next_row;
        let number = f64::from(row - FIRST_DATA_ROW + 1);
        let local = entry.scanned_at.with_timezone(&self.tz);
        let Self {
            workbook,
            date,
            time,
            ..
        } = self;
        let sheet = workbook.worksheet_from_index(0)?;
        sheet.write_number(row, 0, number)?;
        sheet.write_string(row, 1, entry.scan_id.to_string())?;
        sheet.write_string(row, 2, entry.ogrn.as_str())?;
        sheet.write_datetime_with_format(row, 3, excel_date(local)?, date)?;
        sheet.write_datetime_with_format(row, 4, excel_time(local)?, time)?;
        sheet.write_string(row, 5, entry.kind.title())?;
        self.next_row += 1;
        if let Some(i) = StatusKind::ALL.iter().position(|k| *k == entry.kind) {
            self.per_kind[i] += 1;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        u64::from(self.next_row - FIRST_DATA_ROW)
    }

    /// The finished `.xlsx` bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        if self.rows() == 0 {
            let row = self.next_row;
            self.workbook.worksheet_from_index(0)?.write_string(
                row,
                0,
                "За период успешных сканирований не было",
            )?;
        }
        self.write_summary()?;
        self.workbook.save_to_buffer()
    }

    /// The «По статусам» sheet: one row per kind (zeros included), then the total.
    fn write_summary(&mut self) -> Result<(), XlsxError> {
        let total = self.rows();
        let Self {
            workbook,
            header,
            per_kind,
            ..
        } = self;
        let sheet = workbook.add_worksheet();
        sheet.set_name(SUMMARY_SHEET)?;
        for (col, (name, width)) in SUMMARY_HEADER.iter().zip(SUMMARY_WIDTHS).enumerate() {
            sheet.set_column_width(col as u16, width)?;
            sheet.write_string_with_format(0, col as u16, *name, header)?;
        }
        let mut row = 1;
        for (kind, count) in StatusKind::ALL.iter().zip(per_kind.iter()) {
            sheet.write_string(row, 0, kind.title())?;
            sheet.write_string(row, 1, kind.as_str())?;
            sheet.write_number(row, 2, *count as f64)?;
            row += 1;
        }
        let bold = Format::new().set_bold();
        sheet.write_string_with_format(row, 0, "Всего", &bold)?;
        sheet.write_number_with_format(row, 2, total as f64, &bold)?;
        Ok(())
    }
}
