//! The zip sent to the organization: the workbook, its detached signature and the signing
//! certificate (so the recipient can check the signature without asking for it).

use std::io::{Read, Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// File names inside the archive, for a report whose base name is `stem`.
pub struct ArchiveNames {
    pub workbook: String,
    pub signature: String,
    pub certificate: String,
}

impl ArchiveNames {
    /// `stem.xlsx`, `stem.xlsx.sig`, `signing-certificate.pem`.
    pub fn for_stem(stem: &str) -> Self {
        Self {
            workbook: format!("{stem}.xlsx"),
            signature: format!("{stem}.xlsx.sig"),
            certificate: "signing-certificate.pem".to_owned(),
        }
    }
}

/// Packs the three files, dated `built_at` (local time of the service, as zip keeps no zone),
/// spooling through a temporary file in `scratch_dir`.
/// The workbook is already compressed, so it is stored as is.
pub fn pack(
    names: &ArchiveNames,
    workbook: Vec<u8>,
    signature: &[u8],
    certificate_pem: &[u8],
    built_at: chrono::NaiveDateTime,
    scratch_dir: &std::path::Path,
) -> zip::result::ZipResult<Vec<u8>> {
    use chrono::{Datelike, Timelike};
    // Written to a temporary file in `scratch_dir`, so that the workbook and the archive
    // (which holds it) are never both in memory: a million rows are ~50 MiB each.
    let mut zip = ZipWriter::new(tempfile::tempfile_in(scratch_dir)?);
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(built_at.year()).unwrap_or(1980),
        built_at.month() as u8,
        built_at.day() as u8,
        built_at.hour() as u8,
        built_at.minute() as u8,
        built_at.second() as u8,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default().last_modified_time(modified);
    let stored = options.compression_method(CompressionMethod::Stored);
    let deflated = options.compression_method(CompressionMethod::Deflated);
    zip.start_file(
        names.workbook.as_str(),
        stored.large_file(workbook.len() >= u32::MAX as usize),
    )?;
    zip.write_all(&workbook)?;
    drop(workbook);
    zip.start_file(names.signature.as_str(), deflated)?;
    zip.write_all(signature)?;
    zip.start_file(names.certificate.as_str(), deflated)?;
    zip.write_all(certificate_pem)?;
    let mut file = zip.finish()?;
    file.rewind()?;
    let mut archive = Vec::new(); // read_to_end sizes it from the file's length
    file.read_to_end(&mut archive)?;
    Ok(archive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn archive_holds_the_three_files_dated_when_built() {
        let names = ArchiveNames::for_stem("r");
        let built = chrono::NaiveDate::from_ymd_opt(2026, 11, 21)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let bytes = pack(
            &names,
            b"xlsx".to_vec(),
            b"sig",
            b"pem",
            built,
            scratch.path(),
        )
        .unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 3);
        let file = zip.by_name("r.xlsx.sig").unwrap();
        let t = file.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (2026, 11, 21, 9, 30)
        );
    }
}
