//! The certificate fields, per protocol as tshark registers them.

use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Protocol;

use super::field_protocol;

/// Declares one protocol's fields once, with [`crate::fields!`], in a module of its own (whose
/// fields are re-exported here), and the field-only [`Protocol`] that hosts them:
/// `module => STATIC("name", "SHORT", "Long name") { FIELD = FieldDef::new(..); .. }`.
macro_rules! x509_protocol {
    ($module:ident => $static:ident($name:literal, $short:literal, $long:literal) { $($fields:tt)* }) => {
        mod $module {
            use super::*;
            /// The protocol's own field.
            pub(super) static PROTO: FieldDef = FieldDef::protocol($name, $long);
            crate::fields! { $($fields)* }
        }
        pub use $module::*;
        pub static $static: Protocol = field_protocol($name, $short, &$module::PROTO, $module::FIELDS);
    };
}

const VERSIONS: &[(u64, &str)] = &[(0, "v1"), (1, "v2"), (2, "v3")];

const TIME_CHOICES: &[(u64, &str)] = &[(0, "utcTime"), (1, "generalizedTime")];

// x509af: the certificate itself.
x509_protocol! {
    x509af => X509AF("x509af", "X509AF", "X.509 Authentication Framework") {
        SIGNED_CERTIFICATE = FieldDef::new("x509af.signedCertificate_element", "signedCertificate", T::None);
        VERSION = FieldDef::new("x509af.version", "version", T::I32).vals(VERSIONS);
        SERIAL_NUMBER = FieldDef::new("x509af.serialNumber", "serialNumber", T::Bytes);
        SIGNATURE = FieldDef::new("x509af.signature_element", "signature", T::None);
        ALGORITHM_ID = FieldDef::new("x509af.algorithm.id", "Algorithm Id", T::String);
        ISSUER = FieldDef::new("x509af.issuer", "issuer", T::U32).vals(&[(0, "rdnSequence")]);
        VALIDITY = FieldDef::new("x509af.validity_element", "validity", T::None);
        NOT_BEFORE = FieldDef::new("x509af.notBefore", "notBefore", T::U32).vals(TIME_CHOICES);
        NOT_AFTER = FieldDef::new("x509af.notAfter", "notAfter", T::U32).vals(TIME_CHOICES);
        UTC_TIME = FieldDef::new("x509af.utcTime", "utcTime", T::String);
        GENERALIZED_TIME = FieldDef::new("x509af.generalizedTime", "generalizedTime", T::AbsTime);
        SUBJECT = FieldDef::new("x509af.subject", "subject", T::U32).vals(&[(0, "rdnSequence")]);
        X509AF_RDN_SEQUENCE = FieldDef::new("x509af.rdnSequence", "rdnSequence", T::U32);
        SUBJECT_PUBLIC_KEY_INFO = FieldDef::new("x509af.subjectPublicKeyInfo_element", "subjectPublicKeyInfo", T::None);
        ALGORITHM = FieldDef::new("x509af.algorithm_element", "algorithm", T::None);
        SUBJECT_PUBLIC_KEY = FieldDef::new("x509af.subjectPublicKey", "subjectPublicKey", T::Bytes);
        EXTENSIONS = FieldDef::new("x509af.extensions", "extensions", T::U32);
        EXTENSION = FieldDef::new("x509af.Extension_element", "Extension", T::None);
        EXTENSION_ID = FieldDef::new("x509af.extension.id", "Extension Id", T::String);
        CRITICAL = FieldDef::new("x509af.critical", "critical", T::Bool).true_false();
        ALGORITHM_IDENTIFIER = FieldDef::new("x509af.algorithmIdentifier_element", "algorithmIdentifier", T::None);
        ENCRYPTED = FieldDef::new("x509af.encrypted", "encrypted", T::Bytes);
    }
}

// x509if: names.
x509_protocol! {
    x509if => X509IF("x509if", "X509IF", "X.509 Information Framework") {
        X509IF_RDN_SEQUENCE = FieldDef::new("x509if.rdnSequence", "rdnSequence", T::U32);
        RDN_SEQUENCE_ITEM = FieldDef::new("x509if.RDNSequence_item", "RDNSequence item", T::U32);
        RDN_ITEM = FieldDef::new("x509if.RelativeDistinguishedName_item_element", "RelativeDistinguishedName item", T::None);
        X509IF_OID = FieldDef::new("x509if.oid", "Object Id", T::String);
    }
}

// x509sat: attribute values.
const DIRECTORY_STRINGS: &[(u64, &str)] = &[
    (0, "teletexString"),
    (1, "printableString"),
    (2, "universalString"),
    // tshark's DirectoryString numbers bmpString before uTF8String.
    (3, "bmpString"),
    (4, "uTF8String"),
];
x509_protocol! {
    x509sat => X509SAT("x509sat", "X509SAT", "X.509 Selected Attribute Types") {
        DIRECTORY_STRING = FieldDef::new("x509sat.DirectoryString", "DirectoryString", T::U32).vals(DIRECTORY_STRINGS);
        TELETEX = FieldDef::new("x509sat.teletexString", "teletexString", T::String);
        PRINTABLE = FieldDef::new("x509sat.printableString", "printableString", T::String);
        UNIVERSAL = FieldDef::new("x509sat.universalString", "universalString", T::String);
        UTF8 = FieldDef::new("x509sat.uTF8String", "uTF8String", T::String);
        BMP = FieldDef::new("x509sat.bmpString", "bmpString", T::String);
        COUNTRY_NAME = FieldDef::new("x509sat.CountryName", "CountryName", T::String);
        IA5_STRING = FieldDef::new("x509sat.IA5String", "IA5String", T::String);
    }
}

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
x509_protocol! {
    x509ce => X509CE("x509ce", "X509CE", "X.509 Certificate Extensions") {
        BASIC_CONSTRAINTS = FieldDef::new("x509ce.BasicConstraintsSyntax_element", "BasicConstraintsSyntax", T::None);
        CA = FieldDef::new("x509ce.cA", "cA", T::Bool).true_false();
        PATH_LEN_CONSTRAINT = FieldDef::new("x509ce.pathLenConstraint", "pathLenConstraint", T::U64);
        KEY_USAGE = FieldDef::new("x509ce.KeyUsage", "KeyUsage", T::Bytes);
        KU_DIGITAL_SIGNATURE = FieldDef::new("x509ce.KeyUsage.digitalSignature", "digitalSignature", T::Bool).true_false();
        KU_CONTENT_COMMITMENT = FieldDef::new("x509ce.KeyUsage.contentCommitment", "contentCommitment", T::Bool).true_false();
        KU_KEY_ENCIPHERMENT = FieldDef::new("x509ce.KeyUsage.keyEncipherment", "keyEncipherment", T::Bool).true_false();
        KU_DATA_ENCIPHERMENT = FieldDef::new("x509ce.KeyUsage.dataEncipherment", "dataEncipherment", T::Bool).true_false();
        KU_KEY_AGREEMENT = FieldDef::new("x509ce.KeyUsage.keyAgreement", "keyAgreement", T::Bool).true_false();
        KU_KEY_CERT_SIGN = FieldDef::new("x509ce.KeyUsage.keyCertSign", "keyCertSign", T::Bool).true_false();
        KU_CRL_SIGN = FieldDef::new("x509ce.KeyUsage.cRLSign", "cRLSign", T::Bool).true_false();
        KU_ENCIPHER_ONLY = FieldDef::new("x509ce.KeyUsage.encipherOnly", "encipherOnly", T::Bool).true_false();
        KU_DECIPHER_ONLY = FieldDef::new("x509ce.KeyUsage.decipherOnly", "decipherOnly", T::Bool).true_false();
        KEY_PURPOSE_IDS = FieldDef::new("x509ce.KeyPurposeIDs", "KeyPurposeIDs", T::U32);
        KEY_PURPOSE_ID = FieldDef::new("x509ce.KeyPurposeId", "KeyPurposeId", T::String);
        GENERAL_NAMES = FieldDef::new("x509ce.GeneralNames", "GeneralNames", T::U32);
        GENERAL_NAME = FieldDef::new("x509ce.GeneralName", "GeneralName", T::U32).vals(GENERAL_NAME_CHOICES);
        RFC822_NAME = FieldDef::new("x509ce.rfc822Name", "rfc822Name", T::String);
        DNS_NAME = FieldDef::new("x509ce.dNSName", "dNSName", T::String);
        DIRECTORY_NAME = FieldDef::new("x509ce.directoryName", "directoryName", T::U32).vals(&[(0, "rdnSequence")]);
        URI = FieldDef::new("x509ce.uniformResourceIdentifier", "uniformResourceIdentifier", T::String);
        IP_ADDRESS = FieldDef::new("x509ce.iPAddress", "iPAddress", T::Bytes);
        IP_ADDRESS_V4 = FieldDef::new("x509ce.IPAddress.ipv4", "iPAddress", T::Ipv4);
        IP_ADDRESS_V6 = FieldDef::new("x509ce.IPAddress.ipv6", "iPAddress", T::Ipv6);
        SUBJECT_KEY_IDENTIFIER = FieldDef::new("x509ce.SubjectKeyIdentifier", "SubjectKeyIdentifier", T::Bytes);
        AUTHORITY_KEY_IDENTIFIER = FieldDef::new("x509ce.AuthorityKeyIdentifier_element", "AuthorityKeyIdentifier", T::None);
        KEY_IDENTIFIER = FieldDef::new("x509ce.keyIdentifier", "keyIdentifier", T::Bytes);
        AUTHORITY_CERT_ISSUER = FieldDef::new("x509ce.authorityCertIssuer", "authorityCertIssuer", T::U32);
        AUTHORITY_CERT_SERIAL = FieldDef::new("x509ce.authorityCertSerialNumber", "authorityCertSerialNumber", T::Bytes);
        CRL_DIST_POINTS = FieldDef::new("x509ce.CRLDistPointsSyntax", "CRLDistPointsSyntax", T::U32);
        DISTRIBUTION_POINT_ELEMENT = FieldDef::new("x509ce.DistributionPoint_element", "DistributionPoint", T::None);
        DISTRIBUTION_POINT = FieldDef::new("x509ce.distributionPoint", "distributionPoint", T::U32).vals(&[(0, "fullName"), (1, "nameRelativeToCRLIssuer")]);
        FULL_NAME = FieldDef::new("x509ce.fullName", "fullName", T::U32);
        CERTIFICATE_POLICIES = FieldDef::new("x509ce.CertificatePoliciesSyntax", "CertificatePoliciesSyntax", T::U32);
        POLICY_INFORMATION = FieldDef::new("x509ce.PolicyInformation_element", "PolicyInformation", T::None);
        POLICY_IDENTIFIER = FieldDef::new("x509ce.policyIdentifier", "policyIdentifier", T::String);
        POLICY_QUALIFIERS = FieldDef::new("x509ce.policyQualifiers", "policyQualifiers", T::U32);
        POLICY_QUALIFIER_INFO = FieldDef::new("x509ce.PolicyQualifierInfo_element", "PolicyQualifierInfo", T::None);
        X509CE_ID = FieldDef::new("x509ce.id", "Id", T::String);
    }
}

// pkix1implicit / pkix1explicit: PKIX extensions and policy qualifiers.
x509_protocol! {
    pkix1implicit => PKIX1IMPLICIT("pkix1implicit", "PKIX1IMPLICIT", "PKIX1Implitit") {
        AUTHORITY_INFO_ACCESS = FieldDef::new("pkix1implicit.AuthorityInfoAccessSyntax", "AuthorityInfoAccessSyntax", T::U32);
        ACCESS_DESCRIPTION = FieldDef::new("pkix1implicit.AccessDescription_element", "AccessDescription", T::None);
        ACCESS_METHOD = FieldDef::new("pkix1implicit.accessMethod", "accessMethod", T::String);
        // tshark 4.0 registers accessLocation without value names: its label is the number.
        ACCESS_LOCATION = FieldDef::new("pkix1implicit.accessLocation", "accessLocation", T::U32);
        USER_NOTICE = FieldDef::new("pkix1implicit.UserNotice_element", "UserNotice", T::None);
        EXPLICIT_TEXT = FieldDef::new("pkix1implicit.explicitText", "explicitText", T::U32).vals(&[(0, "ia5String"), (1, "visibleString"), (2, "bmpString"), (3, "utf8String")]);
        NOTICE_IA5 = FieldDef::new("pkix1implicit.ia5String", "ia5String", T::String);
        NOTICE_VISIBLE = FieldDef::new("pkix1implicit.visibleString", "visibleString", T::String);
        NOTICE_BMP = FieldDef::new("pkix1implicit.bmpString", "bmpString", T::String);
        NOTICE_UTF8 = FieldDef::new("pkix1implicit.utf8String", "utf8String", T::String);
    }
}
x509_protocol! {
    pkix1explicit => PKIX1EXPLICIT("pkix1explicit", "PKIX1EXPLICIT", "PKIX1Explicit") {
        PKIX1EXPLICIT_DIRECTORY_STRING = FieldDef::new("pkix1explicit.DirectoryString", "DirectoryString", T::String);
    }
}

// pkcs-1: public keys.
x509_protocol! {
    pkcs1 => PKCS1("pkcs-1", "PKCS-1", "PKCS#1") {
        MODULUS = FieldDef::new("pkcs1.modulus", "modulus", T::Bytes);
        PUBLIC_EXPONENT = FieldDef::new("pkcs1.publicExponent", "publicExponent", T::I32);
        EC_PARAMETERS = FieldDef::new("pkcs1.ECParameters", "ECParameters", T::U32).vals(&[(0, "specifiedCurve"), (1, "namedCurve"), (2, "implicitCurve")]);
        NAMED_CURVE = FieldDef::new("pkcs1.namedCurve", "namedCurve", T::String);
    }
}

// ber: encoding details.
x509_protocol! {
    ber => BER("ber", "BER", "Basic Encoding Rules (ASN.1 X.690)") {
        BITSTRING_PADDING = FieldDef::new("ber.bitstring.padding", "Padding", T::U8);
    }
}
