//! The report workbook: one sheet with a title (organization, period), a header row and one row
//! per ledger entry: №, scan id, OGRN, date, time (service time zone). Written in
//! rust_xlsxwriter's constant-memory mode, so rows stream to a temporary file rather than
//! accumulating in memory.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::store::ledger::LedgerEntry;
use crate::store::organizations::Organization;

const HEADER: [&str; 5] = ["№", "ID сканирования", "ОГРН", "Дата", "Время"];
const WIDTHS: [f64; 5] = [9.0, 40.0, 16.0, 12.0, 10.0];
const FIRST_DATA_ROW: u32 = 3;

/// Builds one report workbook row by row.
pub struct ReportWorkbook {
    workbook: Workbook,
    tz: Tz,
    next_row: u32,
    date: Format,
    time: Format,
}

fn excel_date(t: DateTime<Tz>) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
}

fn excel_time(t: DateTime<Tz>) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_hms(t.hour() as u16, t.minute() as u8, f64::from(t.second()))
}

impl ReportWorkbook {
    /// Starts the workbook for `org` covering `[from, until)`.
    pub fn new(
        org: &Organization,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name("Сканирования")?;
        for (col, width) in WIDTHS.iter().enumerate() {
            sheet.set_column_width(col as u16, *width)?;
        }
        let fmt = |t: DateTime<Utc>| t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string();
        let title = format!(
            "Отчёт о подтверждениях статуса участника СВО: {} (ОГРН {}), период {} — {} ({})",
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
        self.next_row += 1;
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
        self.workbook.save_to_buffer()
    }
}
