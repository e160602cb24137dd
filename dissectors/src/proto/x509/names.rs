//! Names of the object identifiers certificates use (RFC 5280, RFC 4519, PKCS #1/#9, RFC 5480),
//! as tshark labels them, and certificate times as instants.

const OIDS: &[(&str, &str)] = &[
    ("2.5.4.3", "id-at-commonName"),
    ("2.5.4.4", "id-at-surname"),
    ("2.5.4.5", "id-at-serialNumber"),
    ("2.5.4.6", "id-at-countryName"),
    ("2.5.4.7", "id-at-localityName"),
    ("2.5.4.8", "id-at-stateOrProvinceName"),
    ("2.5.4.9", "id-at-streetAddress"),
    ("2.5.4.10", "id-at-organizationName"),
    ("2.5.4.11", "id-at-organizationalUnitName"),
    ("2.5.4.12", "id-at-title"),
    ("2.5.4.42", "id-at-givenName"),
    ("1.2.840.113549.1.9.1", "pkcs-9-at-emailAddress"),
    ("0.9.2342.19200300.100.1.25", "dc"),
    ("1.2.840.113549.1.1.1", "rsaEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.10", "id-RSASSA-PSS"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.10045.2.1", "id-ecPublicKey"),
    ("1.2.840.10045.3.1.7", "secp256r1"),
    ("1.3.132.0.34", "secp384r1"),
    ("1.3.132.0.35", "secp521r1"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.3.101.112", "id-Ed25519"),
    ("2.5.29.14", "id-ce-subjectKeyIdentifier"),
    ("2.5.29.15", "id-ce-keyUsage"),
    ("2.5.29.17", "id-ce-subjectAltName"),
    ("2.5.29.18", "id-ce-issuerAltName"),
    ("2.5.29.19", "id-ce-basicConstraints"),
    ("2.5.29.31", "id-ce-cRLDistributionPoints"),
    ("2.5.29.32", "id-ce-certificatePolicies"),
    ("2.5.29.35", "id-ce-authorityKeyIdentifier"),
    ("2.5.29.37", "id-ce-extKeyUsage"),
    ("1.3.6.1.5.5.7.1.1", "id-pe-authorityInfoAccess"),
    ("1.3.6.1.5.5.7.3.1", "id-kp-serverAuth"),
    ("1.3.6.1.5.5.7.3.2", "id-kp-clientAuth"),
    ("1.3.6.1.5.5.7.48.1", "id-ad-ocsp"),
    ("1.3.6.1.5.5.7.48.2", "id-ad-caIssuers"),
    ("1.3.6.1.5.5.7.2.1", "id-qt-cps"),
    ("1.3.6.1.5.5.7.2.2", "id-qt-unotice"),
    ("2.5.29.32.0", "anyPolicy"),
    ("2.16.840.1.113730.1.4", "ns_cert_exts.ca-revocation-url"),
    ("2.16.840.1.113730.1.8", "ns_cert_exts.ca-policy-url"),
    ("2.16.840.1.113730.1.13", "ns_cert_exts.comment"),
];

/// Arcs tshark names when it knows no name for the whole identifier, longest first: it shows
/// the named prefix followed by the remaining numbers (`iso.3.6.1.4.1.311.10.3.3`).
const ARCS: &[(&str, &str)] = &[
    ("2.16.840.1.", "US company arc."),
    ("0.", "itu-t."),
    ("1.", "iso."),
    ("2.", "joint-iso-itu-t."),
];

/// The name tshark shows for an OID, when it has one.
pub fn oid_name(oid: &str) -> Option<&'static str> {
    OIDS.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n)
}

/// The name tshark shows after an OID's number: its own name, else its named prefix and the
/// rest of its numbers.
pub fn oid_label(oid: &str) -> Option<std::borrow::Cow<'static, str>> {
    if let Some(n) = oid_name(oid) {
        return Some(n.into());
    }
    ARCS.iter()
        .find_map(|(arc, name)| Some(format!("{name}{}", oid.strip_prefix(arc)?).into()))
}

/// `YYYY-MM-DD hh:mm:ss (UTC)` as ns since the Unix epoch.
pub fn time_ns(s: &str) -> Option<i64> {
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<i64>().ok();
    let (y, m, d) = (n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let (hh, mm, ss) = (n(11, 13)?, n(14, 16)?, n(17, 19)?);
    let days = crate::engine::value::days_from_civil(y, m, d);
    Some(((days * 86_400) + hh * 3600 + mm * 60 + ss) * 1_000_000_000)
}
