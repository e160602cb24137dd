//! The certificate fields, per protocol as tshark registers them.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Protocol;

use super::field_protocol;

const VERSIONS: &[(u64, &str)] = &[(0, "v1"), (1, "v2"), (2, "v3")];

// x509af: the certificate itself.
pub static SIGNED_CERTIFICATE: FieldDef = FieldDef::new(
    "x509af.signedCertificate_element",
    "signedCertificate",
    T::None,
);
pub static VERSION: FieldDef = FieldDef::new("x509af.version", "version", T::I32).vals(VERSIONS);
pub static SERIAL_NUMBER: FieldDef = FieldDef::new("x509af.serialNumber", "serialNumber", T::Bytes);
pub static SIGNATURE: FieldDef = FieldDef::new("x509af.signature_element", "signature", T::None);
pub static ALGORITHM_ID: FieldDef = FieldDef::new("x509af.algorithm.id", "Algorithm Id", T::String);
pub static ISSUER: FieldDef =
    FieldDef::new("x509af.issuer", "issuer", T::U32).vals(&[(0, "rdnSequence")]);
pub static VALIDITY: FieldDef = FieldDef::new("x509af.validity_element", "validity", T::None);
pub static NOT_BEFORE: FieldDef =
    FieldDef::new("x509af.notBefore", "notBefore", T::U32).vals(TIME_CHOICES);
pub static NOT_AFTER: FieldDef =
    FieldDef::new("x509af.notAfter", "notAfter", T::U32).vals(TIME_CHOICES);
pub static UTC_TIME: FieldDef = FieldDef::new("x509af.utcTime", "utcTime", T::String);
pub static GENERALIZED_TIME: FieldDef =
    FieldDef::new("x509af.generalizedTime", "generalizedTime", T::AbsTime);
pub static SUBJECT: FieldDef =
    FieldDef::new("x509af.subject", "subject", T::U32).vals(&[(0, "rdnSequence")]);
pub static X509AF_RDN_SEQUENCE: FieldDef =
    FieldDef::new("x509af.rdnSequence", "rdnSequence", T::U32);
pub static SUBJECT_PUBLIC_KEY_INFO: FieldDef = FieldDef::new(
    "x509af.subjectPublicKeyInfo_element",
    "subjectPublicKeyInfo",
    T::None,
);
pub static ALGORITHM: FieldDef = FieldDef::new("x509af.algorithm_element", "algorithm", T::None);
pub static SUBJECT_PUBLIC_KEY: FieldDef =
    FieldDef::new("x509af.subjectPublicKey", "subjectPublicKey", T::Bytes);
pub static EXTENSIONS: FieldDef = FieldDef::new("x509af.extensions", "extensions", T::U32);
pub static EXTENSION: FieldDef = FieldDef::new("x509af.Extension_element", "Extension", T::None);
pub static EXTENSION_ID: FieldDef = FieldDef::new("x509af.extension.id", "Extension Id", T::String);
pub static CRITICAL: FieldDef =
    FieldDef::new("x509af.critical", "critical", T::Bool).tfs("True", "False");
pub static ALGORITHM_IDENTIFIER: FieldDef = FieldDef::new(
    "x509af.algorithmIdentifier_element",
    "algorithmIdentifier",
    T::None,
);
pub static ENCRYPTED: FieldDef = FieldDef::new("x509af.encrypted", "encrypted", T::Bytes);

const TIME_CHOICES: &[(u64, &str)] = &[(0, "utcTime"), (1, "generalizedTime")];

static X509AF_FIELDS: &[&FieldDef] = &[
    &SIGNED_CERTIFICATE,
    &VERSION,
    &SERIAL_NUMBER,
    &SIGNATURE,
    &ALGORITHM_ID,
    &ISSUER,
    &VALIDITY,
    &NOT_BEFORE,
    &NOT_AFTER,
    &UTC_TIME,
    &GENERALIZED_TIME,
    &SUBJECT,
    &X509AF_RDN_SEQUENCE,
    &SUBJECT_PUBLIC_KEY_INFO,
    &ALGORITHM,
    &SUBJECT_PUBLIC_KEY,
    &EXTENSIONS,
    &EXTENSION,
    &EXTENSION_ID,
    &CRITICAL,
    &ALGORITHM_IDENTIFIER,
    &ENCRYPTED,
];
static X509AF_PROTO: FieldDef = FieldDef::protocol("x509af", "X.509 Authentication Framework");
pub static X509AF: Protocol = field_protocol("x509af", "X509AF", &X509AF_PROTO, X509AF_FIELDS);

// x509if: names.
pub static X509IF_RDN_SEQUENCE: FieldDef =
    FieldDef::new("x509if.rdnSequence", "rdnSequence", T::U32);
pub static RDN_SEQUENCE_ITEM: FieldDef =
    FieldDef::new("x509if.RDNSequence_item", "RDNSequence item", T::U32);
pub static RDN_ITEM: FieldDef = FieldDef::new(
    "x509if.RelativeDistinguishedName_item_element",
    "RelativeDistinguishedName item",
    T::None,
);
pub static X509IF_OID: FieldDef = FieldDef::new("x509if.oid", "Object Id", T::String);
static X509IF_FIELDS: &[&FieldDef] = &[
    &X509IF_RDN_SEQUENCE,
    &RDN_SEQUENCE_ITEM,
    &RDN_ITEM,
    &X509IF_OID,
];
static X509IF_PROTO: FieldDef = FieldDef::protocol("x509if", "X.509 Information Framework");
pub static X509IF: Protocol = field_protocol("x509if", "X509IF", &X509IF_PROTO, X509IF_FIELDS);

// x509sat: attribute values.
const DIRECTORY_STRINGS: &[(u64, &str)] = &[
    (0, "teletexString"),
    (1, "printableString"),
    (2, "universalString"),
    (3, "uTF8String"),
    (4, "bmpString"),
];
pub static DIRECTORY_STRING: FieldDef =
    FieldDef::new("x509sat.DirectoryString", "DirectoryString", T::U32).vals(DIRECTORY_STRINGS);
pub static TELETEX: FieldDef = FieldDef::new("x509sat.teletexString", "teletexString", T::String);
pub static PRINTABLE: FieldDef =
    FieldDef::new("x509sat.printableString", "printableString", T::String);
pub static UNIVERSAL: FieldDef =
    FieldDef::new("x509sat.universalString", "universalString", T::String);
pub static UTF8: FieldDef = FieldDef::new("x509sat.uTF8String", "uTF8String", T::String);
pub static BMP: FieldDef = FieldDef::new("x509sat.bmpString", "bmpString", T::String);
pub static COUNTRY_NAME: FieldDef = FieldDef::new("x509sat.CountryName", "CountryName", T::String);
pub static IA5_STRING: FieldDef = FieldDef::new("x509sat.IA5String", "IA5String", T::String);
static X509SAT_FIELDS: &[&FieldDef] = &[
    &DIRECTORY_STRING,
    &TELETEX,
    &PRINTABLE,
    &UNIVERSAL,
    &UTF8,
    &BMP,
    &COUNTRY_NAME,
    &IA5_STRING,
];
static X509SAT_PROTO: FieldDef = FieldDef::protocol("x509sat", "X.509 Selected Attribute Types");
pub static X509SAT: Protocol = field_protocol("x509sat", "X509SAT", &X509SAT_PROTO, X509SAT_FIELDS);

// x509ce: extensions.
const GENERAL_NAME_CHOICES: &[(u64, &str)] = &[
    (0, "otherName"),
    (1, "rfc822Name"),
    (2, "dNSName"),
    (3, "x400Address"),
    (4, "directoryName"),
    (5, "ediPartyName"),
    (6, "uniformResourceIdentifier"),
    (7, "iPAddress"),
    (8, "registeredID"),
];
pub static BASIC_CONSTRAINTS: FieldDef = FieldDef::new(
    "x509ce.BasicConstraintsSyntax_element",
    "BasicConstraintsSyntax",
    T::None,
);
pub static CA: FieldDef = FieldDef::new("x509ce.cA", "cA", T::Bool).tfs("True", "False");
pub static PATH_LEN_CONSTRAINT: FieldDef =
    FieldDef::new("x509ce.pathLenConstraint", "pathLenConstraint", T::U64);
pub static KEY_USAGE: FieldDef = FieldDef::new("x509ce.KeyUsage", "KeyUsage", T::Bytes);
pub static KEY_USAGE_BITS: [&FieldDef; 9] = [
    &KU_DIGITAL_SIGNATURE,
    &KU_CONTENT_COMMITMENT,
    &KU_KEY_ENCIPHERMENT,
    &KU_DATA_ENCIPHERMENT,
    &KU_KEY_AGREEMENT,
    &KU_KEY_CERT_SIGN,
    &KU_CRL_SIGN,
    &KU_ENCIPHER_ONLY,
    &KU_DECIPHER_ONLY,
];
pub static KU_DIGITAL_SIGNATURE: FieldDef = FieldDef::new(
    "x509ce.KeyUsage.digitalSignature",
    "digitalSignature",
    T::Bool,
)
.tfs("True", "False");
pub static KU_CONTENT_COMMITMENT: FieldDef = FieldDef::new(
    "x509ce.KeyUsage.contentCommitment",
    "contentCommitment",
    T::Bool,
)
.tfs("True", "False");
pub static KU_KEY_ENCIPHERMENT: FieldDef = FieldDef::new(
    "x509ce.KeyUsage.keyEncipherment",
    "keyEncipherment",
    T::Bool,
)
.tfs("True", "False");
pub static KU_DATA_ENCIPHERMENT: FieldDef = FieldDef::new(
    "x509ce.KeyUsage.dataEncipherment",
    "dataEncipherment",
    T::Bool,
)
.tfs("True", "False");
pub static KU_KEY_AGREEMENT: FieldDef =
    FieldDef::new("x509ce.KeyUsage.keyAgreement", "keyAgreement", T::Bool).tfs("True", "False");
pub static KU_KEY_CERT_SIGN: FieldDef =
    FieldDef::new("x509ce.KeyUsage.keyCertSign", "keyCertSign", T::Bool).tfs("True", "False");
pub static KU_CRL_SIGN: FieldDef =
    FieldDef::new("x509ce.KeyUsage.cRLSign", "cRLSign", T::Bool).tfs("True", "False");
pub static KU_ENCIPHER_ONLY: FieldDef =
    FieldDef::new("x509ce.KeyUsage.encipherOnly", "encipherOnly", T::Bool).tfs("True", "False");
pub static KU_DECIPHER_ONLY: FieldDef =
    FieldDef::new("x509ce.KeyUsage.decipherOnly", "decipherOnly", T::Bool).tfs("True", "False");
pub static KEY_PURPOSE_IDS: FieldDef =
    FieldDef::new("x509ce.KeyPurposeIDs", "KeyPurposeIDs", T::U32);
pub static KEY_PURPOSE_ID: FieldDef =
    FieldDef::new("x509ce.KeyPurposeId", "KeyPurposeId", T::String);
pub static GENERAL_NAMES: FieldDef = FieldDef::new("x509ce.GeneralNames", "GeneralNames", T::U32);
pub static GENERAL_NAME: FieldDef =
    FieldDef::new("x509ce.GeneralName", "GeneralName", T::U32).vals(GENERAL_NAME_CHOICES);
pub static RFC822_NAME: FieldDef = FieldDef::new("x509ce.rfc822Name", "rfc822Name", T::String);
pub static DNS_NAME: FieldDef = FieldDef::new("x509ce.dNSName", "dNSName", T::String);
pub static DIRECTORY_NAME: FieldDef =
    FieldDef::new("x509ce.directoryName", "directoryName", T::U32).vals(&[(0, "rdnSequence")]);
pub static URI: FieldDef = FieldDef::new(
    "x509ce.uniformResourceIdentifier",
    "uniformResourceIdentifier",
    T::String,
);
pub static IP_ADDRESS: FieldDef = FieldDef::new("x509ce.iPAddress", "iPAddress", T::Bytes);
pub static IP_ADDRESS_V4: FieldDef =
    FieldDef::new("x509ce.IPAddress.ipv4", "IPv4 Address", T::Ipv4);
pub static IP_ADDRESS_V6: FieldDef =
    FieldDef::new("x509ce.IPAddress.ipv6", "IPv6 Address", T::Ipv6);
pub static SUBJECT_KEY_IDENTIFIER: FieldDef = FieldDef::new(
    "x509ce.SubjectKeyIdentifier",
    "SubjectKeyIdentifier",
    T::Bytes,
);
pub static AUTHORITY_KEY_IDENTIFIER: FieldDef = FieldDef::new(
    "x509ce.AuthorityKeyIdentifier_element",
    "AuthorityKeyIdentifier",
    T::None,
);
pub static KEY_IDENTIFIER: FieldDef =
    FieldDef::new("x509ce.keyIdentifier", "keyIdentifier", T::Bytes);
pub static AUTHORITY_CERT_ISSUER: FieldDef =
    FieldDef::new("x509ce.authorityCertIssuer", "authorityCertIssuer", T::U32);
pub static AUTHORITY_CERT_SERIAL: FieldDef = FieldDef::new(
    "x509ce.authorityCertSerialNumber",
    "authorityCertSerialNumber",
    T::Bytes,
);
pub static CRL_DIST_POINTS: FieldDef =
    FieldDef::new("x509ce.CRLDistPointsSyntax", "CRLDistPointsSyntax", T::U32);
pub static DISTRIBUTION_POINT_ELEMENT: FieldDef = FieldDef::new(
    "x509ce.DistributionPoint_element",
    "DistributionPoint",
    T::None,
);
pub static DISTRIBUTION_POINT: FieldDef =
    FieldDef::new("x509ce.distributionPoint", "distributionPoint", T::U32)
        .vals(&[(0, "fullName"), (1, "nameRelativeToCRLIssuer")]);
pub static FULL_NAME: FieldDef = FieldDef::new("x509ce.fullName", "fullName", T::U32);
pub static CERTIFICATE_POLICIES: FieldDef = FieldDef::new(
    "x509ce.CertificatePoliciesSyntax",
    "CertificatePoliciesSyntax",
    T::U32,
);
pub static POLICY_INFORMATION: FieldDef = FieldDef::new(
    "x509ce.PolicyInformation_element",
    "PolicyInformation",
    T::None,
);
pub static POLICY_IDENTIFIER: FieldDef =
    FieldDef::new("x509ce.policyIdentifier", "policyIdentifier", T::String);
pub static POLICY_QUALIFIERS: FieldDef =
    FieldDef::new("x509ce.policyQualifiers", "policyQualifiers", T::U32);
pub static POLICY_QUALIFIER_INFO: FieldDef = FieldDef::new(
    "x509ce.PolicyQualifierInfo_element",
    "PolicyQualifierInfo",
    T::None,
);
pub static X509CE_ID: FieldDef = FieldDef::new("x509ce.id", "Id", T::String);
static X509CE_FIELDS: &[&FieldDef] = &[
    &BASIC_CONSTRAINTS,
    &CA,
    &PATH_LEN_CONSTRAINT,
    &KEY_USAGE,
    &KU_DIGITAL_SIGNATURE,
    &KU_CONTENT_COMMITMENT,
    &KU_KEY_ENCIPHERMENT,
    &KU_DATA_ENCIPHERMENT,
    &KU_KEY_AGREEMENT,
    &KU_KEY_CERT_SIGN,
    &KU_CRL_SIGN,
    &KU_ENCIPHER_ONLY,
    &KU_DECIPHER_ONLY,
    &KEY_PURPOSE_IDS,
    &KEY_PURPOSE_ID,
    &GENERAL_NAMES,
    &GENERAL_NAME,
    &RFC822_NAME,
    &DNS_NAME,
    &DIRECTORY_NAME,
    &URI,
    &IP_ADDRESS,
    &IP_ADDRESS_V4,
    &IP_ADDRESS_V6,
    &SUBJECT_KEY_IDENTIFIER,
    &AUTHORITY_KEY_IDENTIFIER,
    &KEY_IDENTIFIER,
    &AUTHORITY_CERT_ISSUER,
    &AUTHORITY_CERT_SERIAL,
    &CRL_DIST_POINTS,
    &DISTRIBUTION_POINT_ELEMENT,
    &DISTRIBUTION_POINT,
    &FULL_NAME,
    &CERTIFICATE_POLICIES,
    &POLICY_INFORMATION,
    &POLICY_IDENTIFIER,
    &POLICY_QUALIFIERS,
    &POLICY_QUALIFIER_INFO,
    &X509CE_ID,
];
static X509CE_PROTO: FieldDef = FieldDef::protocol("x509ce", "X.509 Certificate Extensions");
pub static X509CE: Protocol = field_protocol("x509ce", "X509CE", &X509CE_PROTO, X509CE_FIELDS);

// pkix1implicit / pkix1explicit: PKIX extensions and policy qualifiers.
pub static AUTHORITY_INFO_ACCESS: FieldDef = FieldDef::new(
    "pkix1implicit.AuthorityInfoAccessSyntax",
    "AuthorityInfoAccessSyntax",
    T::U32,
);
pub static ACCESS_DESCRIPTION: FieldDef = FieldDef::new(
    "pkix1implicit.AccessDescription_element",
    "AccessDescription",
    T::None,
);
pub static ACCESS_METHOD: FieldDef =
    FieldDef::new("pkix1implicit.accessMethod", "accessMethod", T::String);
pub static ACCESS_LOCATION: FieldDef =
    FieldDef::new("pkix1implicit.accessLocation", "accessLocation", T::U32)
        .vals(GENERAL_NAME_CHOICES);
pub static USER_NOTICE: FieldDef =
    FieldDef::new("pkix1implicit.UserNotice_element", "UserNotice", T::None);
pub static EXPLICIT_TEXT: FieldDef =
    FieldDef::new("pkix1implicit.explicitText", "explicitText", T::U32).vals(&[
        (0, "ia5String"),
        (1, "visibleString"),
        (2, "bmpString"),
        (3, "utf8String"),
    ]);
pub static NOTICE_IA5: FieldDef = FieldDef::new("pkix1implicit.ia5String", "ia5String", T::String);
pub static NOTICE_VISIBLE: FieldDef =
    FieldDef::new("pkix1implicit.visibleString", "visibleString", T::String);
pub static NOTICE_BMP: FieldDef = FieldDef::new("pkix1implicit.bmpString", "bmpString", T::String);
pub static NOTICE_UTF8: FieldDef =
    FieldDef::new("pkix1implicit.utf8String", "utf8String", T::String);
static PKIX1IMPLICIT_FIELDS: &[&FieldDef] = &[
    &AUTHORITY_INFO_ACCESS,
    &ACCESS_DESCRIPTION,
    &ACCESS_METHOD,
    &ACCESS_LOCATION,
    &USER_NOTICE,
    &EXPLICIT_TEXT,
    &NOTICE_IA5,
    &NOTICE_VISIBLE,
    &NOTICE_BMP,
    &NOTICE_UTF8,
];
static PKIX1IMPLICIT_PROTO: FieldDef = FieldDef::protocol("pkix1implicit", "PKIX1Implitit");
pub static PKIX1IMPLICIT: Protocol = field_protocol(
    "pkix1implicit",
    "PKIX1IMPLICIT",
    &PKIX1IMPLICIT_PROTO,
    PKIX1IMPLICIT_FIELDS,
);
pub static PKIX1EXPLICIT_DIRECTORY_STRING: FieldDef = FieldDef::new(
    "pkix1explicit.DirectoryString",
    "DirectoryString",
    T::String,
);
static PKIX1EXPLICIT_FIELDS: &[&FieldDef] = &[&PKIX1EXPLICIT_DIRECTORY_STRING];
static PKIX1EXPLICIT_PROTO: FieldDef = FieldDef::protocol("pkix1explicit", "PKIX1Explicit");
pub static PKIX1EXPLICIT: Protocol = field_protocol(
    "pkix1explicit",
    "PKIX1EXPLICIT",
    &PKIX1EXPLICIT_PROTO,
    PKIX1EXPLICIT_FIELDS,
);

// pkcs-1: public keys.
pub static MODULUS: FieldDef = FieldDef::new("pkcs1.modulus", "modulus", T::Bytes);
pub static PUBLIC_EXPONENT: FieldDef =
    FieldDef::new("pkcs1.publicExponent", "publicExponent", T::I32);
pub static EC_PARAMETERS: FieldDef = FieldDef::new("pkcs1.ECParameters", "ECParameters", T::U32)
    .vals(&[
        (0, "specifiedCurve"),
        (1, "namedCurve"),
        (2, "implicitCurve"),
    ]);
pub static NAMED_CURVE: FieldDef = FieldDef::new("pkcs1.namedCurve", "namedCurve", T::String);
static PKCS1_FIELDS: &[&FieldDef] = &[&MODULUS, &PUBLIC_EXPONENT, &EC_PARAMETERS, &NAMED_CURVE];
static PKCS1_PROTO: FieldDef = FieldDef::protocol("pkcs-1", "PKCS#1");
pub static PKCS1: Protocol = field_protocol("pkcs-1", "PKCS-1", &PKCS1_PROTO, PKCS1_FIELDS);

// ber: encoding details.
pub static BITSTRING_PADDING: FieldDef = FieldDef::new("ber.bitstring.padding", "Padding", T::U8);
static BER_FIELDS: &[&FieldDef] = &[&BITSTRING_PADDING];
static BER_PROTO: FieldDef = FieldDef::protocol("ber", "Basic Encoding Rules (ASN.1 X.690)");
pub static BER: Protocol = field_protocol("ber", "BER", &BER_PROTO, BER_FIELDS);
