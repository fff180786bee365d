//! Detached CMS (PKCS#7) signatures over report workbooks, checkable with stock
//! `openssl cms -verify -binary -inform DER -in report.xlsx.sig -content report.xlsx`.
//!
//! The embedded setup generates a P-256 key and a self-signed certificate under
//! `<data_dir>/signing/` on first start; production points `signing_key_path` and
//! `signing_cert_path` at the operator's PEM files.

use std::path::Path;

use anyhow::Context;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509NameBuilder, X509};

/// The service's report signing key and certificate.
pub struct Signer {
    key: PKey<Private>,
    cert: X509,
    cert_pem: Vec<u8>,
}

impl Signer {
    /// Loads the configured PEM files, or (both unset) the generated pair under `data_dir`,
    /// generating it on first use.
    pub fn load_or_generate(
        key_path: Option<&Path>,
        cert_path: Option<&Path>,
        data_dir: &Path,
    ) -> anyhow::Result<Self> {
        match (key_path, cert_path) {
            (Some(k), Some(c)) => Self::load(k, c),
            (None, None) => {
                let dir = data_dir.join("signing");
                let (k, c) = (
                    dir.join("report-signing.key"),
                    dir.join("report-signing.crt"),
                );
                if !k.exists() || !c.exists() {
                    generate(&dir, &k, &c)?;
                }
                Self::load(&k, &c)
            }
            _ => anyhow::bail!("set both signing_key_path and signing_cert_path, or neither"),
        }
    }

    fn load(key_path: &Path, cert_path: &Path) -> anyhow::Result<Self> {
        let key_pem = std::fs::read(key_path)
            .with_context(|| format!("reading signing key {}", key_path.display()))?;
        let cert_pem = std::fs::read(cert_path)
            .with_context(|| format!("reading signing certificate {}", cert_path.display()))?;
        let key = PKey::private_key_from_pem(&key_pem).context("parsing the signing key")?;
        let cert = X509::from_pem(&cert_pem).context("parsing the signing certificate")?;
        anyhow::ensure!(
            cert.public_key()?.public_eq(&key),
            "the signing certificate does not belong to the signing key"
        );
        Ok(Self {
            key,
            cert,
            cert_pem,
        })
    }

    /// A DER-encoded detached SignedData over `content`, with content-type, signing-time and
    /// message-digest signed attributes and the signer's certificate included.
    pub fn sign_detached(&self, content: &[u8]) -> anyhow::Result<Vec<u8>> {
        let chain = Stack::new()?;
        let p7 = Pkcs7::sign(
            &self.cert,
            &self.key,
            &chain,
            content,
            Pkcs7Flags::DETACHED | Pkcs7Flags::BINARY,
        )
        .context("signing")?;
        Ok(p7.to_der()?)
    }

    /// The certificate, PEM, for recipients to check signatures against.
    pub fn certificate_pem(&self) -> &[u8] {
        &self.cert_pem
    }
}

fn generate(dir: &Path, key_path: &Path, cert_path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, "statuspass report signing (self-signed)")?;
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "statuspass")?;
    let name = name.build();
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let mut cert = X509::builder()?;
    cert.set_version(2)?;
    let serial = serial.to_asn1_integer()?;
    cert.set_serial_number(&serial)?;
    cert.set_subject_name(&name)?;
    cert.set_issuer_name(&name)?;
    cert.set_pubkey(&key)?;
    let not_before = Asn1Time::days_from_now(0)?;
    let not_after = Asn1Time::days_from_now(3650)?;
    cert.set_not_before(&not_before)?;
    cert.set_not_after(&not_after)?;
    cert.append_extension(BasicConstraints::new().critical().build()?)?;
    cert.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .non_repudiation()
            .build()?,
    )?;
    cert.sign(&key, MessageDigest::sha256())?;
    let cert = cert.build();
    crate::startup::write_private(
        key_path,
        &String::from_utf8(key.private_key_to_pem_pkcs8()?)?,
    )?;
    std::fs::write(cert_path, cert.to_pem()?)
        .with_context(|| format!("writing {}", cert_path.display()))?;
    tracing::info!(key = %key_path.display(), certificate = %cert_path.display(), "generated a report signing key and self-signed certificate");
    Ok(())
}
