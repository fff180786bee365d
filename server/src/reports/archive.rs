//! The zip sent to the organization: the workbook, its detached signature and the signing
//! certificate (so the recipient can check the signature without asking for it).

use std::io::{Cursor, Write};

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

/// Packs the three files. The workbook is already compressed, so it is stored as is.
pub fn pack(
    names: &ArchiveNames,
    workbook: &[u8],
    signature: &[u8],
    certificate_pem: &[u8],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(workbook.len() + 4096)));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file(
        names.workbook.as_str(),
        stored.large_file(workbook.len() >= u32::MAX as usize),
    )?;
    zip.write_all(workbook)?;
    zip.start_file(names.signature.as_str(), deflated)?;
    zip.write_all(signature)?;
    zip.start_file(names.certificate.as_str(), deflated)?;
    zip.write_all(certificate_pem)?;
    Ok(zip.finish()?.into_inner())
}
