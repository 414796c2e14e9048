//! `meshgen certs PLAN --out DIR`: a new test root CA and, from it, an intermediate CA for
//! every cluster that runs istiod, as the files of a `cacerts` Secret. For test stands:
//! a production mesh takes its intermediates from its own PKI and keeps the root offline.
//!
//! The layout is that of upstream's `tools/certs/Makefile.selfsigned.mk` (istio/istio), so
//! the runbook's `kubectl create secret generic cacerts` commands take either:
//! `DIR/root-cert.pem` and `DIR/root-key.pem`, and per cluster `DIR/<cluster>/` with
//! `ca-cert.pem` (the intermediate), `ca-key.pem`, `root-cert.pem` and `cert-chain.pem`
//! (the intermediate, then the root: the Makefile's `cat $^` order). The subjects and
//! lifetimes are the Makefile's defaults (`common.mk`: `O=Istio`, `CN=Root CA`,
//! `CN=Intermediate CA`, `L=<cluster>`, SAN `istiod.istio-system.svc`, 3650 days; the
//! intermediate is a CA with path length 0). The keys are ECDSA P-256 in PKCS#8 rather than
//! the Makefile's RSA 4096: istiod reads both (`pkg/security/pki/util/crypto.go`,
//! `ParsePemEncodedKey`, `GetEllipticCurve`), and generating RSA keys would need a far
//! heavier crypto library.
//!
//! Key material never goes where it could be committed: DIR may not lie inside a git work
//! tree or a tree meshgen rendered, private keys are written `0600` in folders `0700`, and
//! no existing file is overwritten. This module reads the model and writes files, like
//! [`crate::write`]; nothing in the pipeline imports it.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

use crate::layout;
use crate::model::Model;
use crate::model::flavor::MeshFlavor;

/// How long both certificates are valid, in days (`common.mk`: `ROOTCA_DAYS`,
/// `INTERMEDIATE_DAYS`).
const VALID_DAYS: i64 = 3650;
/// The intermediate's SAN (`common.mk`: `INTERMEDIATE_SAN_DNS`).
const ISTIOD_SAN: &str = "istiod.istio-system.svc";

/// Why `meshgen certs` wrote nothing (or, for I/O, stopped).
#[derive(Debug)]
pub enum CertsError {
    /// The plan's mode plugs no CA into istiod (Mspider's hosted mode).
    NotUpstream(&'static str),
    /// DIR could hold keys where they would be committed or rendered over.
    UnsafeDir(String),
    /// A file meshgen would write exists already.
    Exists(PathBuf),
    /// Making a key or a certificate failed.
    Crypto(String),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for CertsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertsError::NotUpstream(mode) => write!(
                f,
                "meshgen certs is for the upstream modes (multi-primary, primary-remote); in mode \
                 {mode} the mesh's own control plane holds its CA"
            ),
            CertsError::UnsafeDir(why) => write!(f, "refusing to write keys there: {why}"),
            CertsError::Exists(path) => write!(
                f,
                "{} exists; meshgen certs never overwrites a key or certificate (pick an empty folder)",
                path.display()
            ),
            CertsError::Crypto(why) => write!(f, "cannot make the certificates: {why}"),
            CertsError::Io(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

/// The clusters whose istiod needs a `cacerts` Secret, in plan order.
pub fn istiod_clusters(model: &Model) -> Result<&[String], CertsError> {
    match &model.flavor {
        MeshFlavor::Hosted(_) => Err(CertsError::NotUpstream("hosted")),
        MeshFlavor::MultiPrimary(mesh) | MeshFlavor::PrimaryRemote(mesh) => {
            Ok(&mesh.istiod_clusters)
        }
    }
}

/// What [`write`] wrote.
#[derive(Debug)]
pub struct Written {
    pub dir: PathBuf,
    pub clusters: Vec<String>,
    pub files: Vec<PathBuf>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrote a new test root CA and intermediate CAs for {} into {} ({} files, private keys \
             readable by you only); create the cacerts Secrets as the rendered README's trust step \
             shows. For test stands only: production takes its CA from its own PKI.",
            self.clusters.join(", "),
            self.dir.display(),
            self.files.len()
        )
    }
}

/// [`write`] for the istiod clusters of `model`.
pub fn write_for(model: &Model, dir: &Path, today: i64) -> Result<Written, CertsError> {
    write(dir, istiod_clusters(model)?, today)
}

/// Write a new root and an intermediate per cluster of `clusters` into `dir`, valid from
/// `today` (days since 1970-01-01, UTC) for [`VALID_DAYS`].
pub fn write(dir: &Path, clusters: &[String], today: i64) -> Result<Written, CertsError> {
    refuse_unsafe_dir(dir)?;
    let files = generate(clusters, today)?;
    // Every name first, so a refusal writes nothing.
    for (path, _, _) in &files {
        let path = dir.join(path);
        if path.symlink_metadata().is_ok() {
            return Err(CertsError::Exists(path));
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, text, private) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            create_private_dir(parent)?;
        }
        write_new(&path, text.as_bytes(), private)?;
        written.push(path);
    }
    Ok(Written {
        dir: dir.to_owned(),
        clusters: clusters.to_vec(),
        files: written,
    })
}

/// The files, by path relative to DIR, with their text and whether they are private keys.
fn generate(clusters: &[String], today: i64) -> Result<Vec<(PathBuf, String, bool)>, CertsError> {
    let crypto = |e: rcgen::Error| CertsError::Crypto(e.to_string());
    let (not_before, not_after) = (civil(today), civil(today + VALID_DAYS));
    let validity = |params: &mut CertificateParams| {
        params.not_before = date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
    };

    let root_key = KeyPair::generate().map_err(crypto)?;
    let mut root = CertificateParams::default();
    validity(&mut root);
    root.distinguished_name = name(&[
        (DnType::OrganizationName, "Istio"),
        (DnType::CommonName, "Root CA"),
    ]);
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = ca_key_usages();
    let root_pem_key = root_key.serialize_pem();
    let root = CertifiedIssuer::self_signed(root, root_key).map_err(crypto)?;
    let root_pem = root.as_ref().pem();

    let mut files = vec![
        (PathBuf::from("root-cert.pem"), root_pem.clone(), false),
        (PathBuf::from("root-key.pem"), root_pem_key, true),
    ];
    for cluster in clusters {
        let key = KeyPair::generate().map_err(crypto)?;
        let mut params = CertificateParams::new(vec![ISTIOD_SAN.to_owned()]).map_err(crypto)?;
        validity(&mut params);
        params.distinguished_name = name(&[
            (DnType::OrganizationName, "Istio"),
            (DnType::CommonName, "Intermediate CA"),
            (DnType::LocalityName, cluster),
        ]);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = ca_key_usages();
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &root).map_err(crypto)?;
        let cert_pem = cert.pem();
        let folder = PathBuf::from(cluster);
        files.push((
            folder.join("cert-chain.pem"),
            format!("{cert_pem}{root_pem}"),
            false,
        ));
        files.push((folder.join("ca-cert.pem"), cert_pem, false));
        files.push((folder.join("ca-key.pem"), key.serialize_pem(), true));
        files.push((folder.join("root-cert.pem"), root_pem.clone(), false));
    }
    Ok(files)
}

fn name(parts: &[(DnType, &str)]) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    for (kind, value) in parts {
        name.push(kind.clone(), *value);
    }
    name
}

/// A CA's key usages (the Makefile's, less the RSA-only `keyEncipherment`, plus `cRLSign`,
/// which RFC 5280 4.2.1.3 expects of a CA that could sign revocation lists).
fn ca_key_usages() -> Vec<KeyUsagePurpose> {
    vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ]
}

/// Refuse a DIR inside a git work tree (a `.git` in it or a folder above) or inside a
/// tree meshgen rendered (a `.meshgen/manifest` there): keys would be committed, or
/// carried along with the tree.
pub fn refuse_unsafe_dir(dir: &Path) -> Result<(), CertsError> {
    let absolute = if dir.is_absolute() {
        dir.to_owned()
    } else {
        std::env::current_dir()
            .map_err(|e| CertsError::Io(dir.to_owned(), e))?
            .join(dir)
    };
    // The folders that exist, resolved (a link cannot hide a work tree), then the rest.
    let mut existing = absolute.as_path();
    while existing.symlink_metadata().is_err() {
        match existing.parent() {
            Some(parent) => existing = parent,
            None => break,
        }
    }
    let resolved = existing
        .canonicalize()
        .map_err(|e| CertsError::Io(existing.to_owned(), e))?;
    for folder in resolved.ancestors() {
        if folder.join(".git").symlink_metadata().is_ok() {
            return Err(CertsError::UnsafeDir(format!(
                "{} is inside the git work tree {}; keep private keys out of git",
                dir.display(),
                folder.display()
            )));
        }
        if folder.join(layout::MANIFEST).symlink_metadata().is_ok() {
            return Err(CertsError::UnsafeDir(format!(
                "{} is inside {}, a tree meshgen rendered; keep private keys out of it",
                dir.display(),
                folder.display()
            )));
        }
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<(), CertsError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| CertsError::Io(dir.to_owned(), e))
}

/// Write a file that must not exist yet; a private key readable by its owner only.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), CertsError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if private { 0o600 } else { 0o644 });
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CertsError::Exists(path.to_owned()),
        _ => CertsError::Io(path.to_owned(), e),
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| CertsError::Io(path.to_owned(), e))
}

/// Today, in days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0))
}

/// The civil date (year, month, day) of a day count since 1970-01-01, proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html).
fn civil(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(59), (1970, 3, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(civil(20_689), (2026, 8, 24));
        assert_eq!(civil(-1), (1969, 12, 31));
    }

    #[test]
    fn the_chain_is_the_intermediate_then_the_root() {
        let files = generate(&["c1".to_owned(), "c2".to_owned()], 20_000).unwrap();
        let text = |path: &str| {
            files
                .iter()
                .find(|(p, _, _)| p == Path::new(path))
                .map(|(_, text, _)| text.clone())
                .unwrap()
        };
        let root = text("root-cert.pem");
        for cluster in ["c1", "c2"] {
            assert_eq!(text(&format!("{cluster}/root-cert.pem")), root);
            assert_eq!(
                text(&format!("{cluster}/cert-chain.pem")),
                format!("{}{root}", text(&format!("{cluster}/ca-cert.pem")))
            );
            assert!(
                text(&format!("{cluster}/ca-key.pem")).starts_with("-----BEGIN PRIVATE KEY-----")
            );
        }
        assert_ne!(text("c1/ca-cert.pem"), text("c2/ca-cert.pem"));
        let private: Vec<_> = files
            .iter()
            .filter(|(_, _, private)| *private)
            .map(|(p, _, _)| p.display().to_string())
            .collect();
        assert_eq!(private, ["root-key.pem", "c1/ca-key.pem", "c2/ca-key.pem"]);
    }
}
