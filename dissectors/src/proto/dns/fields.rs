//! The fields, value names and expert items of `dns` (also used by `mdns`, which tshark shows
//! with `dns.*` fields), declared once for [`crate::proto::dns`] and its helpers. Abbreviations,
//! types and bases as `tshark -G fields` lists them (Wireshark 4.0).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};

/// RR types with Wireshark's descriptions (the field labels); [`type_name`] gives the short
/// mnemonic the Info column and subtree titles use.
pub static TYPES: &[(u64, &str)] = &[
    (0, "Unused"),
    (1, "A (Host Address)"),
    (2, "NS (authoritative Name Server)"),
    (3, "MD (Mail Destination)"),
    (4, "MF (Mail Forwarder)"),
    (5, "CNAME (Canonical NAME for an alias)"),
    (6, "SOA (Start Of a zone of Authority)"),
    (7, "MB (MailBox domain name)"),
    (8, "MG (Mail Group member)"),
    (9, "MR (Mail Rename domain)"),
    (10, "NULL RR"),
    (11, "WKS (Well Known Service)"),
    (12, "PTR (domain name PoinTeR)"),
    (13, "HINFO (host information)"),
    (14, "MINFO (Mailbox or mail list information)"),
    (15, "MX (Mail eXchange)"),
    (16, "TXT (Text strings)"),
    (17, "RP (Responsible Person)"),
    (18, "AFSDB (AFS Data Base location)"),
    (19, "X25 (XX.25 PSDN address)"),
    (20, "ISDN (ISDN address)"),
    (21, "RT (Route Through)"),
    (22, "NSAP (NSAP address)"),
    (23, "NSAP-PTR (NSAP domain name pointer)"),
    (24, "SIG (security signature)"),
    (25, "KEY (security key)"),
    (26, "PX (X.400 mail mapping information)"),
    (27, "GPOS (Geographical Position)"),
    (28, "AAAA (IPv6 Address)"),
    (29, "LOC (Location Information)"),
    (30, "NXT (Next Domain)"),
    (31, "EID (Endpoint Identifier)"),
    (32, "NIMLOC (Nimrod Locator)"),
    (33, "SRV (Server Selection)"),
    (34, "ATMA (ATM Address)"),
    (35, "NAPTR (Naming Authority Pointer)"),
    (36, "KX (Key Exchanger)"),
    (37, "CERT"),
    (38, "A6 (OBSOLETE - use AAAA)"),
    (39, "DNAME"),
    (40, "SINK"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS (Delegation Signer)"),
    (44, "SSHFP (SSH Key Fingerprint)"),
    (45, "IPSECKEY"),
    (46, "RRSIG (Resource Record Signature)"),
    (47, "NSEC (Next Secure)"),
    (48, "DNSKEY (DNS Public Key)"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (55, "HIP (Host Identity Protocol)"),
    (57, "RKEY"),
    (58, "TALINK (Trust Anchor LINK)"),
    (59, "CDS (Child DS)"),
    (60, "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)"),
    (61, "OPENPGPKEY (OpenPGP Key)"),
    (62, "CSYNC (Child-to-Parent Synchronization)"),
    (63, "ZONEMD"),
    (64, "SVCB (General Purpose Service Endpoints)"),
    (65, "HTTPS (HTTPS Specific Service Endpoints)"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID (NodeID)"),
    (105, "L32 (Locator32)"),
    (106, "L64 (Locator64)"),
    (107, "LP (Locator FQDN)"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY (Transaction Key)"),
    (250, "TSIG (Transaction Signature)"),
    (251, "IXFR (incremental transfer)"),
    (252, "AXFR (transfer of an entire zone)"),
    (253, "MAILB (mailbox-related RRs)"),
    (254, "MAILA (mail agent RRs)"),
    (
        255,
        "* (A request for all records the server/cache has available)",
    ),
    (256, "URI"),
    (257, "CAA (Certification Authority Restriction)"),
    (32768, "TA (DNSSEC Trust Authorities)"),
    (32769, "DLV (DNSSEC Lookaside Validation)"),
    (65281, "WINS"),
    (65282, "WINS-R"),
    (65422, "XPF"),
];

/// The short mnemonic of an RR type (`A`, `NULL`, `ANY`), or `Unknown (N)`.
pub fn type_name(t: u16) -> String {
    match t {
        10 => "NULL".into(),
        255 => "ANY".into(),
        _ => match crate::engine::field::val_to_str(TYPES, t as u64) {
            Some(d) => d.split(' ').next().unwrap_or(d).to_string(),
            None => format!("Unknown ({t})"),
        },
    }
}

pub static CLASSES: &[(u64, &str)] = &[
    (1, "IN"),
    (2, "CS"),
    (3, "CH"),
    (4, "HS"),
    (254, "NONE"),
    (255, "ANY"),
];

pub static OPCODES: &[(u64, &str)] = &[
    (0, "Standard query"),
    (1, "Inverse query"),
    (2, "Server status request"),
    (4, "Zone change notification"),
    (5, "Dynamic update"),
    (6, "DNS Stateful operations (DSO)"),
];

pub static RCODES: &[(u64, &str)] = &[
    (0, "No error"),
    (1, "Format error"),
    (2, "Server failure"),
    (3, "No such name"),
    (4, "Not implemented"),
    (5, "Refused"),
    (6, "Name exists"),
    (7, "RRset exists"),
    (8, "RRset does not exist"),
    (9, "Not authoritative"),
    (10, "Name out of zone"),
    (11, "DSO-Type not implemented"),
    (16, "Bad OPT Version or TSIG Signature Failure"),
    (17, "Key not recognized"),
    (18, "Signature out of time window"),
    (19, "Bad TKEY Mode"),
    (20, "Duplicate key name"),
    (21, "Algorithm not supported"),
    (22, "Bad Truncation"),
    (23, "Bad/missing Server Cookie"),
];

pub static OPT_CODES: &[(u64, &str)] = &[
    (0, "Reserved"),
    (1, "LLQ - Long-lived query"),
    (2, "UL - Update lease"),
    (3, "NSID - Name Server Identifier"),
    (4, "Owner (reserved)"),
    (5, "DAU - DNSSEC Algorithm Understood (RFC6975)"),
    (6, "DHU - DS Hash Understood (RFC6975)"),
    (7, "N3U - NSEC3 Hash Understood (RFC6975)"),
    (20730, "Experimental - CSUBNET - Client subnet"),
    (8, "CSUBNET - Client subnet"),
    (9, "EDNS EXPIRE (RFC7314)"),
    (10, "COOKIE"),
    (11, "EDNS TCP Keepalive"),
    (12, "PADDING"),
    (13, "CHAIN"),
    (15, "Extended DNS Error"),
];

pub static SVCB_KEYS: &[(u64, &str)] = &[
    (0, "mandatory"),
    (1, "alpn"),
    (2, "no-default-alpn"),
    (3, "port"),
    (4, "ipv4hint"),
    (5, "echconfig"),
    (6, "ipv6hint"),
    (32769, "odohconfig"),
    (65535, "key65535"),
];

pub static DNSSEC_ALGOS: &[(u64, &str)] = &[
    (1, "RSA/MD5"),
    (2, "Diffie-Hellman"),
    (3, "DSA"),
    (4, "Elliptic curve crypto"),
    (5, "RSA/SHA1"),
    (6, "DSA + NSEC3/SHA1"),
    (7, "RSA/SHA1 + NSEC3/SHA1"),
    (8, "RSA/SHA-256"),
    (10, "RSA/SHA-512"),
    (12, "GOST R 34.10-2001"),
    (13, "ECDSA Curve P-256 with SHA-256"),
    (14, "ECDSA Curve P-386 with SHA-386"),
    (15, "Ed25519"),
    (16, "Ed448"),
    (157, "HMAC/MD5"),
    (252, "Indirect key"),
    (253, "Private, domain name"),
    (254, "Private, OID"),
];

static DS_DIGESTS: &[(u64, &str)] = &[
    (0, "Reserved digest"),
    (1, "SHA-1"),
    (2, "SHA-256"),
    (3, "GOST R 34.11-94"),
    (4, "SHA-384"),
];

crate::fields! {
    PROTO = FieldDef::protocol("dns", "Domain Name System");
    LENGTH = FieldDef::new("dns.length", "Length", T::U16).blurb("Length of DNS-over-TCP request or response");
    ID = FieldDef::new("dns.id", "Transaction ID", T::U16).hex();
    FLAGS = FieldDef::new("dns.flags", "Flags", T::U16).hex();
    FLAGS_RESPONSE = FieldDef::flag("dns.flags.response", "Response", 16, 0x8000).tfs("Message is a response", "Message is a query");
    FLAGS_OPCODE = FieldDef::new("dns.flags.opcode", "Opcode", T::U16).mask(0x7800).vals(OPCODES);
    FLAGS_AUTHORITATIVE = FieldDef::flag("dns.flags.authoritative", "Authoritative", 16, 0x0400).tfs("Server is an authority for domain", "Server is not an authority for domain");
    FLAGS_TRUNCATED = FieldDef::flag("dns.flags.truncated", "Truncated", 16, 0x0200).tfs("Message is truncated", "Message is not truncated");
    FLAGS_RECDESIRED = FieldDef::flag("dns.flags.recdesired", "Recursion desired", 16, 0x0100).tfs("Do query recursively", "Don't do query recursively");
    FLAGS_RECAVAIL = FieldDef::flag("dns.flags.recavail", "Recursion available", 16, 0x0080).tfs("Server can do recursive queries", "Server can't do recursive queries");
    FLAGS_Z = FieldDef::flag("dns.flags.z", "Z", 16, 0x0040).tfs("reserved - incorrect!", "reserved (0)");
    FLAGS_AUTHENTICATED = FieldDef::flag("dns.flags.authenticated", "Answer authenticated", 16, 0x0020).tfs("Answer/authority portion was authenticated by the server", "Answer/authority portion was not authenticated by the server");
    FLAGS_CHECKDISABLE = FieldDef::flag("dns.flags.checkdisable", "Non-authenticated data", 16, 0x0010).tfs("Acceptable", "Unacceptable");
    FLAGS_RCODE = FieldDef::new("dns.flags.rcode", "Reply code", T::U16).mask(0x000f).vals(RCODES);
    COUNT_QUERIES = FieldDef::new("dns.count.queries", "Questions", T::U16);
    COUNT_ZONES = FieldDef::new("dns.count.zones", "Zones", T::U16);
    COUNT_ANSWERS = FieldDef::new("dns.count.answers", "Answer RRs", T::U16);
    COUNT_PREREQUISITES = FieldDef::new("dns.count.prerequisites", "Prerequisites", T::U16);
    COUNT_AUTH_RR = FieldDef::new("dns.count.auth_rr", "Authority RRs", T::U16);
    COUNT_UPDATES = FieldDef::new("dns.count.updates", "Updates", T::U16);
    COUNT_ADD_RR = FieldDef::new("dns.count.add_rr", "Additional RRs", T::U16);
    QRY_NAME = FieldDef::new("dns.qry.name", "Name", T::String);
    QRY_NAME_LEN = FieldDef::new("dns.qry.name.len", "Name Length", T::U16);
    COUNT_LABELS = FieldDef::new("dns.count.labels", "Label Count", T::U16);
    QRY_TYPE = FieldDef::new("dns.qry.type", "Type", T::U16).vals(TYPES);
    QRY_CLASS = FieldDef::new("dns.qry.class", "Class", T::U16).hex().vals(CLASSES);
    QRY_QU = FieldDef::flag("dns.qry.qu", "\"QU\" question", 16, 0x8000);
    RESP_NAME = FieldDef::new("dns.resp.name", "Name", T::String);
    RESP_TYPE = FieldDef::new("dns.resp.type", "Type", T::U16).vals(TYPES);
    RESP_CLASS = FieldDef::new("dns.resp.class", "Class", T::U16).hex().vals(CLASSES);
    RESP_CACHE_FLUSH = FieldDef::flag("dns.resp.cache_flush", "Cache flush", 16, 0x8000);
    RESP_TTL = FieldDef::new("dns.resp.ttl", "Time to live", T::U32);
    RESP_LEN = FieldDef::new("dns.resp.len", "Data length", T::U16);
    SRV_SERVICE = FieldDef::new("dns.srv.service", "Service", T::String);
    SRV_PROTO = FieldDef::new("dns.srv.proto", "Protocol", T::String);
    SRV_NAME = FieldDef::new("dns.srv.name", "Name", T::String);
    SRV_PRIORITY = FieldDef::new("dns.srv.priority", "Priority", T::U16);
    SRV_WEIGHT = FieldDef::new("dns.srv.weight", "Weight", T::U16);
    SRV_PORT = FieldDef::new("dns.srv.port", "Port", T::U16);
    SRV_TARGET = FieldDef::new("dns.srv.target", "Target", T::String);
    A = FieldDef::new("dns.a", "Address", T::Ipv4);
    AAAA = FieldDef::new("dns.aaaa", "AAAA Address", T::Ipv6);
    CNAME = FieldDef::new("dns.cname", "CNAME", T::String);
    NS = FieldDef::new("dns.ns", "Name Server", T::String);
    DNAME = FieldDef::new("dns.dname", "Dname", T::String);
    PTR_DOMAIN_NAME = FieldDef::new("dns.ptr.domain_name", "Domain Name", T::String);
    SOA_MNAME = FieldDef::new("dns.soa.mname", "Primary name server", T::String);
    SOA_RNAME = FieldDef::new("dns.soa.rname", "Responsible authority's mailbox", T::String);
    SOA_SERIAL = FieldDef::new("dns.soa.serial_number", "Serial Number", T::U32);
    SOA_REFRESH = FieldDef::new("dns.soa.refresh_interval", "Refresh Interval", T::U32);
    SOA_RETRY = FieldDef::new("dns.soa.retry_interval", "Retry Interval", T::U32);
    SOA_EXPIRE = FieldDef::new("dns.soa.expire_limit", "Expire limit", T::U32);
    SOA_MINIMUM = FieldDef::new("dns.soa.minimum_ttl", "Minimum TTL", T::U32);
    HINFO_CPU_LENGTH = FieldDef::new("dns.hinfo.cpu_length", "CPU Length", T::U8);
    HINFO_CPU = FieldDef::new("dns.hinfo.cpu", "CPU", T::String);
    HINFO_OS_LENGTH = FieldDef::new("dns.hinfo.os_length", "OS Length", T::U8);
    HINFO_OS = FieldDef::new("dns.hinfo.os", "OS", T::String);
    MX_PREFERENCE = FieldDef::new("dns.mx.preference", "Preference", T::U16);
    MX_MAIL_EXCHANGE = FieldDef::new("dns.mx.mail_exchange", "Mail Exchange", T::String);
    TXT_LENGTH = FieldDef::new("dns.txt.length", "TXT Length", T::U8);
    TXT = FieldDef::new("dns.txt", "TXT", T::String);
    SPF_LENGTH = FieldDef::new("dns.spf.length", "SPF Length", T::U8);
    SPF = FieldDef::new("dns.spf", "SPF", T::String);
    NSEC_NEXT_DOMAIN_NAME = FieldDef::new("dns.nsec.next_domain_name", "Next Domain Name", T::String);
    NSEC3_ALGO = FieldDef::new("dns.nsec3.algo", "Hash algorithm", T::U8).vals(&[(1, "SHA-1")]);
    NSEC3_FLAGS = FieldDef::new("dns.nsec3.flags", "NSEC3 flags", T::U8);
    NSEC3_FLAG_OPTOUT = FieldDef::flag("dns.nsec3.flags.opt_out", "NSEC3 Opt-out flag", 8, 0x01);
    NSEC3_ITERATIONS = FieldDef::new("dns.nsec3.iterations", "NSEC3 iterations", T::U16);
    NSEC3_SALT_LENGTH = FieldDef::new("dns.nsec3.salt_length", "Salt length", T::U8);
    NSEC3_SALT_VALUE = FieldDef::new("dns.nsec3.salt_value", "Salt value", T::Bytes);
    NSEC3_HASH_LENGTH = FieldDef::new("dns.nsec3.hash_length", "Hash length", T::U8);
    NSEC3_HASH_VALUE = FieldDef::new("dns.nsec3.hash_value", "Next hashed owner", T::String);
    RRSIG_TYPE_COVERED = FieldDef::new("dns.rrsig.type_covered", "Type Covered", T::U16).vals(TYPES);
    RRSIG_ALGORITHM = FieldDef::new("dns.rrsig.algorithm", "Algorithm", T::U8).vals(DNSSEC_ALGOS);
    RRSIG_LABELS = FieldDef::new("dns.rrsig.labels", "Labels", T::U8);
    RRSIG_ORIGINAL_TTL = FieldDef::new("dns.rrsig.original_ttl", "Original TTL", T::U32);
    RRSIG_EXPIRATION = FieldDef::new("dns.rrsig.signature_expiration", "Signature Expiration", T::AbsTime);
    RRSIG_INCEPTION = FieldDef::new("dns.rrsig.signature_inception", "Signature Inception", T::AbsTime);
    RRSIG_KEY_TAG = FieldDef::new("dns.rrsig.key_tag", "Key Tag", T::U16);
    RRSIG_SIGNERS_NAME = FieldDef::new("dns.rrsig.signers_name", "Signer's name", T::String);
    RRSIG_SIGNATURE = FieldDef::new("dns.rrsig.signature", "Signature", T::Bytes);
    DNSKEY_FLAGS = FieldDef::new("dns.dnskey.flags", "Flags", T::U16).hex();
    DNSKEY_FLAGS_ZONE_KEY = FieldDef::flag("dns.dnskey.flags.zone_key", "Zone Key", 16, 0x0100).tfs("This is the zone key for specified zone", "This it not a zone key");
    DNSKEY_FLAGS_KEY_REVOKED = FieldDef::flag("dns.dnskey.flags.key_revoked", "Key Revoked", 16, 0x0080).tfs("Yes", "No");
    DNSKEY_FLAGS_SEP = FieldDef::flag("dns.dnskey.flags.secure_entry_point", "Key Signing Key", 16, 0x0001).tfs("Yes", "No");
    DNSKEY_FLAGS_RESERVED = FieldDef::new("dns.dnskey.flags.reserved", "Key Signing Key", T::U16).hex().mask(0xfe7e);
    DNSKEY_PROTOCOL = FieldDef::new("dns.dnskey.protocol", "Protocol", T::U8);
    DNSKEY_ALGORITHM = FieldDef::new("dns.dnskey.algorithm", "Algorithm", T::U8).vals(DNSSEC_ALGOS);
    DNSKEY_KEY_ID = FieldDef::new("dns.dnskey.key_id", "Key id", T::U16);
    DNSKEY_PUBLIC_KEY = FieldDef::new("dns.dnskey.public_key", "Public Key", T::Bytes);
    DS_KEY_ID = FieldDef::new("dns.ds.key_id", "Key id", T::U16).hex();
    DS_ALGORITHM = FieldDef::new("dns.ds.algorithm", "Algorithm", T::U8).vals(DNSSEC_ALGOS);
    DS_DIGEST_TYPE = FieldDef::new("dns.ds.digest_type", "Digest Type", T::U8).vals(DS_DIGESTS);
    DS_DIGEST = FieldDef::new("dns.ds.digest", "Digest", T::Bytes);
    CAA_FLAGS = FieldDef::new("dns.caa.flags", "CAA Flags", T::U8).hex();
    CAA_FLAG_ISSUER_CRITICAL = FieldDef::flag("dns.caa.flags.issuer_critical", "Issuer Critical", 8, 0x80).tfs("Set", "Not set");
    CAA_ISSUE = FieldDef::new("dns.caa.issue", "Issue", T::String);
    CAA_ISSUEWILD = FieldDef::new("dns.caa.issuewild", "Issue Wildcard", T::String);
    CAA_IODEF = FieldDef::new("dns.caa.iodef", "Report URL", T::String);
    CAA_UNKNOWN = FieldDef::new("dns.caa.unknown", "Unknown tag", T::String);
    CAA_TAG_LENGTH = FieldDef::new("dns.caa.tag_length", "Tag length", T::U8);
    CAA_TAG = FieldDef::new("dns.caa.tag", "Tag", T::String);
    CAA_VALUE = FieldDef::new("dns.caa.value", "Value", T::String);
    SVCB_PRIORITY = FieldDef::new("dns.svcb.svcpriority", "SvcPriority", T::U16);
    SVCB_TARGET = FieldDef::new("dns.svcb.targetname", "TargetName", T::String);
    SVCB_PARAM = FieldDef::new("dns.svcb.svcparam", "SvcParam", T::None);
    SVCB_PARAM_KEY = FieldDef::new("dns.svcb.svcparam.key", "SvcParamKey", T::U16).vals(SVCB_KEYS);
    SVCB_PARAM_LENGTH = FieldDef::new("dns.svcb.svcparam.value.length", "SvcParamValue length", T::U16);
    SVCB_PARAM_VALUE = FieldDef::new("dns.svcb.svcparam.value", "SvcParamValue", T::Bytes);
    SVCB_MANDATORY_KEY = FieldDef::new("dns.svcb.svcparam.mandatory.key", "Mandatory key", T::U16).vals(SVCB_KEYS);
    SVCB_ALPN_LENGTH = FieldDef::new("dns.svcb.svcparam.alpn.length", "ALPN length", T::U8);
    SVCB_ALPN = FieldDef::new("dns.svcb.svcparam.alpn", "ALPN", T::String);
    SVCB_PORT = FieldDef::new("dns.svcb.svcparam.port", "Port", T::U16);
    SVCB_IPV4HINT = FieldDef::new("dns.svcb.svcparam.ipv4hint.ip", "IP", T::Ipv4);
    SVCB_ECHCONFIG = FieldDef::new("dns.svcb.svcparam.echconfig", "ECHConfig", T::Bytes);
    SVCB_IPV6HINT = FieldDef::new("dns.svcb.svcparam.ipv6hint.ip", "IP", T::Ipv6);
    SVCB_ODOHCONFIG = FieldDef::new("dns.svcb.svcparam.odohconfig", "ODoHConfig", T::Bytes);
    RR_UDP_PAYLOAD_SIZE = FieldDef::new("dns.rr.udp_payload_size", "UDP payload size", T::U16);
    RESP_EXT_RCODE = FieldDef::new("dns.resp.ext_rcode", "Higher bits in extended RCODE", T::U8).hex();
    RESP_EDNS0_VERSION = FieldDef::new("dns.resp.edns0_version", "EDNS0 version", T::U8);
    RESP_Z = FieldDef::new("dns.resp.z", "Z", T::U16).hex();
    RESP_Z_DO = FieldDef::flag("dns.resp.z.do", "DO bit", 16, 0x8000).tfs("Accepts DNSSEC security RRs", "Cannot handle DNSSEC security RRs");
    RESP_Z_RESERVED = FieldDef::new("dns.resp.z.reserved", "Reserved", T::U16).hex().mask(0x7fff);
    OPT = FieldDef::new("dns.opt", "Option", T::None);
    OPT_CODE = FieldDef::new("dns.opt.code", "Option Code", T::U16).vals(OPT_CODES);
    OPT_LEN = FieldDef::new("dns.opt.len", "Option Length", T::U16);
    OPT_DATA = FieldDef::new("dns.opt.data", "Option Data", T::Bytes);
    OPT_DAU = FieldDef::new("dns.opt.dau", "DAU", T::U8).vals(DNSSEC_ALGOS);
    OPT_DHU = FieldDef::new("dns.opt.dhu", "DHU", T::U8).vals(DS_DIGESTS);
    OPT_N3U = FieldDef::new("dns.opt.n3u", "N3U", T::U8).vals(&[(1, "SHA-1")]);
    OPT_CLIENT_FAMILY = FieldDef::new("dns.opt.client.family", "Family", T::U16).vals(&[(1, "IPv4"), (2, "IPv6")]);
    OPT_CLIENT_NETMASK = FieldDef::new("dns.opt.client.netmask", "Source Netmask", T::U8);
    OPT_CLIENT_SCOPE = FieldDef::new("dns.opt.client.scope", "Scope Netmask", T::U8);
    OPT_CLIENT_ADDR = FieldDef::new("dns.opt.client.addr", "Client Subnet", T::Bytes);
    OPT_CLIENT_ADDR4 = FieldDef::new("dns.opt.client.addr4", "Client Subnet", T::Ipv4);
    OPT_CLIENT_ADDR6 = FieldDef::new("dns.opt.client.addr6", "Client Subnet", T::Ipv6);
    OPT_COOKIE_CLIENT = FieldDef::new("dns.opt.cookie.client", "Client Cookie", T::Bytes);
    OPT_COOKIE_SERVER = FieldDef::new("dns.opt.cookie.server", "Server Cookie", T::Bytes);
    OPT_TCP_KEEPALIVE = FieldDef::new("dns.opt.edns_tcp_keepalive.timeout", "Timeout", T::U16);
    OPT_PADDING = FieldDef::new("dns.opt.padding", "Padding", T::Bytes);
    OPT_CHAIN_FQDN = FieldDef::new("dns.opt.chain.fqdn", "Closest Trust Point", T::String);
    OPT_EXT_ERROR_CODE = FieldDef::new("dns.opt.ext_error.info_code", "Info Code", T::U16);
    OPT_EXT_ERROR_TEXT = FieldDef::new("dns.opt.ext_error.extra_text", "Extra Text", T::String);
    DATA = FieldDef::new("dns.data", "Data", T::Bytes);
    RESPONSE_TO = FieldDef::new("dns.response_to", "Request In", T::FrameNum);
    TIME = FieldDef::new("dns.time", "Time", T::RelTime);
    RETRANSMISSION = FieldDef::new("dns.retransmission", "Retransmission", T::Bool);
    RETRANSMIT_REQUEST_IN = FieldDef::new("dns.retransmit_request_in", "Retransmitted request. Original request in", T::FrameNum);
    RETRANSMIT_RESPONSE_IN = FieldDef::new("dns.retransmit_response_in", "Retransmitted response. Original response in", T::FrameNum);
    UNSOLICITED = FieldDef::new("dns.unsolicited", "Unsolicited", T::Bool);
    EXTRANEOUS_DATA = FieldDef::new("dns.extraneous.data", "Extraneous Data Bytes", T::Bytes);
    EXTRANEOUS_LENGTH = FieldDef::new("dns.extraneous.length", "Extraneous Data Length", T::I32);
}

crate::experts! {
    UNDECODED_TYPE = ExpertDef::new("dns.undecoded.type", Group::Undecoded, Severity::Note, "Undecoded option");
    TTL_HIGH_BIT = ExpertDef::new("dns.ttl.high_bit_set", Group::Protocol, Severity::Warn, "The uppermost bit of the TTL is set (RFC 2181, section 8)");
    RETRANSMIT_REQUEST = ExpertDef::new("dns.retransmit_request", Group::Protocol, Severity::Warn, "DNS query retransmission");
    RETRANSMIT_RESPONSE = ExpertDef::new("dns.retransmit_response", Group::Protocol, Severity::Warn, "DNS response retransmission");
    EXTRANEOUS = ExpertDef::new("dns.extraneous", Group::Undecoded, Severity::Note, "Extraneous data");
    OPT_BAD_LENGTH = ExpertDef::new("dns.rr.opt.bad_length", Group::Malformed, Severity::Error, "Length too long for any type of IP address.");
}
