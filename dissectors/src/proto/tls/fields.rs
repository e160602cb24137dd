//! The fields TLS and DTLS share (tshark registers the same names under `tls.` and `dtls.`):
//! declared once in [`shared_fields!`], which builds one module per protocol and a [`Hf`]
//! table per module, so the handshake code is written once and told which names to use. The
//! `dtls` module also holds DTLS's own fields (epoch, message fragments, cookie).

use super::names::*;
use crate::engine::field::{FieldDef, FieldType as T};

/// Declares the shared fields: for each, a `tls.<suffix>` static in [`tls`], a `dtls.<suffix>`
/// static in [`dtls`], and a member of [`Hf`] pointing at it.
macro_rules! shared_fields {
    (
        shared { $( $name:ident = ($suffix:literal, $label:literal, $ty:expr) $(. $m:ident($($a:expr),*))* ; )* }
        dtls_only { $( $dname:ident = $ddef:expr ; )* }
    ) => {
        /// One protocol's shared fields.
        #[allow(non_snake_case)]
        pub struct Hf {
            /// The protocol's name (`tls` / `dtls`).
            pub proto: &'static str,
            $( pub $name: &'static FieldDef, )*
        }

        /// `tls.*` shared fields.
        pub mod tls {
            use super::*;
            crate::fields! {
                $( $name = FieldDef::new(concat!("tls.", $suffix), $label, $ty) $(. $m($($a),*))*; )*
            }
            /// The table the handshake code uses for TLS.
            pub static HF: Hf = Hf { proto: "tls", $( $name: &$name, )* };
        }

        /// `dtls.*` shared fields.
        pub mod dtls {
            use super::*;
            crate::fields! {
                $( $name = FieldDef::new(concat!("dtls.", $suffix), $label, $ty) $(. $m($($a),*))*; )*
                $( $dname = $ddef; )*
            }
            /// The table the handshake code uses for DTLS.
            pub static HF: Hf = Hf { proto: "dtls", $( $name: &$name, )* };
        }
    };
}

shared_fields! {
    shared {
    RECORD = ("record", "Record Layer", T::None);
    CONTENT_TYPE = ("record.content_type", "Content Type", T::U8).vals(CONTENT_TYPES);
    OPAQUE_TYPE = ("record.opaque_type", "Opaque Type", T::U8).vals(CONTENT_TYPES)
        .blurb("Always set to value 23, actual content type is known after decryption");
    RECORD_VERSION = ("record.version", "Version", T::U16).hex().vals(VERSIONS).blurb("Record layer version");
    RECORD_LENGTH = ("record.length", "Length", T::U16).blurb("Length of TLS record data");
    CHANGE_CIPHER_SPEC = ("change_cipher_spec", "Change Cipher Spec Message", T::None)
        .blurb("Signals a change in cipher specifications");
    ALERT = ("alert_message", "Alert Message", T::None);
    ALERT_LEVEL = ("alert_message.level", "Level", T::U8).vals(ALERT_LEVELS).blurb("Alert message level");
    ALERT_DESC = ("alert_message.desc", "Description", T::U8).vals(ALERT_DESCRIPTIONS)
        .blurb("Alert message description");
    APP_DATA = ("app_data", "Encrypted Application Data", T::Bytes).blurb("Payload is encrypted application data");
    APP_DATA_PROTO = ("app_data_proto", "Application Data Protocol", T::String);
    HANDSHAKE = ("handshake", "Handshake Protocol", T::None);
    HS_TYPE = ("handshake.type", "Handshake Type", T::U8).vals(HANDSHAKE_TYPES);
    HS_LENGTH = ("handshake.length", "Length", T::U24).blurb("Length of handshake message");
    HS_VERSION = ("handshake.version", "Version", T::U16).hex().vals(VERSIONS)
        .blurb("Maximum version supported by client");
    RANDOM = ("handshake.random", "Random", T::Bytes).blurb("Random values used for deriving keys");
    RANDOM_TIME = ("handshake.random_time", "GMT Unix Time", T::AbsTime)
        .blurb("Unix time field of random structure");
    RANDOM_BYTES = ("handshake.random_bytes", "Random Bytes", T::Bytes)
        .blurb("Random values used for deriving keys");
    SESSION_ID_LENGTH = ("handshake.session_id_length", "Session ID Length", T::U16)
        .blurb("Length of session ID field");
    SESSION_ID = ("handshake.session_id", "Session ID", T::Bytes)
        .blurb("Identifies the SSL session, allowing later resumption");
    CIPHER_SUITES_LENGTH = ("handshake.cipher_suites_length", "Cipher Suites Length", T::U16)
        .blurb("Length of cipher suites field");
    CIPHER_SUITES_F = ("handshake.ciphersuites", "Cipher Suites", T::None)
        .blurb("List of cipher suites supported by client");
    CIPHER_SUITE = ("handshake.ciphersuite", "Cipher Suite", T::U16).hex().vals(CIPHER_SUITES);
    COMP_METHODS_LENGTH = ("handshake.comp_methods_length", "Compression Methods Length", T::U8)
        .blurb("Length of compression methods field");
    COMP_METHODS = ("handshake.comp_methods", "Compression Methods", T::None)
        .blurb("List of compression methods supported by client");
    COMP_METHOD = ("handshake.comp_method", "Compression Method", T::U8).vals(COMPRESSION_METHODS);
    EXTENSIONS_LENGTH = ("handshake.extensions_length", "Extensions Length", T::U16);
    EXT_TYPE = ("handshake.extension.type", "Type", T::U16).vals(EXTENSION_TYPES).blurb("Hello extension type");
    EXT_LEN = ("handshake.extension.len", "Length", T::U16).blurb("Length of a hello extension");
    EXT_DATA = ("handshake.extension.data", "Data", T::Bytes).blurb("Hello Extension data");
    SNI_LIST_LEN = ("handshake.extensions_server_name_list_len", "Server Name list length", T::U16)
        .blurb("Length of server name list");
    SNI_TYPE = ("handshake.extensions_server_name_type", "Server Name Type", T::U8).vals(SERVER_NAME_TYPES);
    SNI_LEN = ("handshake.extensions_server_name_len", "Server Name length", T::U16)
        .blurb("Length of server name string");
    SNI = ("handshake.extensions_server_name", "Server Name", T::String);
    GROUPS_LENGTH = ("handshake.extensions_supported_groups_length", "Supported Groups List Length", T::U16);
    GROUPS_F = ("handshake.extensions_supported_groups", "Supported Groups List", T::None)
        .blurb("List of supported groups (formerly Supported Elliptic Curves)");
    GROUP = ("handshake.extensions_supported_group", "Supported Group", T::U16).hex().vals(GROUPS);
    EC_POINT_FORMATS_LENGTH = ("handshake.extensions_ec_point_formats_length", "EC point formats Length", T::U8)
        .blurb("Length of elliptic curves point formats field");
    EC_POINT_FORMATS_F = ("handshake.extensions_ec_point_formats", "EC point formats", T::None)
        .blurb("List of elliptic curves point format");
    EC_POINT_FORMAT = ("handshake.extensions_ec_point_format", "EC point format", T::U8).vals(EC_POINT_FORMATS)
        .blurb("Elliptic curves point format");
    SIG_HASH_ALG_LEN = ("handshake.sig_hash_alg_len", "Signature Hash Algorithms Length", T::U16)
        .blurb("Length of Signature Hash Algorithms");
    SIG_HASH_ALGS = ("handshake.sig_hash_algs", "Signature Algorithms", T::None)
        .blurb("List of supported Signature Algorithms");
    SIG_HASH_ALG = ("handshake.sig_hash_alg", "Signature Algorithm", T::U16).hex().vals(SIG_SCHEMES);
    SIG_HASH_HASH = ("handshake.sig_hash_hash", "Signature Hash Algorithm Hash", T::U8).vals(SIG_HASHES)
        .blurb("Hash algorithm (TLS 1.2)");
    SIG_HASH_SIG = ("handshake.sig_hash_sig", "Signature Hash Algorithm Signature", T::U8).vals(SIG_ALGS)
        .blurb("Signature algorithm (TLS 1.2)");
    ALPN_LEN = ("handshake.extensions_alpn_len", "ALPN Extension Length", T::U16)
        .blurb("Length of the ALPN Extension");
    ALPN_LIST = ("handshake.extensions_alpn_list", "ALPN Protocol", T::None);
    ALPN_STR_LEN = ("handshake.extensions_alpn_str_len", "ALPN string length", T::U8)
        .blurb("Length of ALPN string");
    ALPN_STR = ("handshake.extensions_alpn_str", "ALPN Next Protocol", T::String);
    RENEG_INFO_LEN = ("handshake.extensions_reneg_info_len", "Renegotiation info extension length", T::U8);
    RENEG_INFO = ("handshake.extensions_reneg_info", "Renegotiation info", T::Bytes);
    KEY_SHARE_CLIENT_LENGTH = ("handshake.extensions_key_share_client_length", "Client Key Share Length", T::U16);
    KEY_SHARE_GROUP = ("handshake.extensions_key_share_group", "Group", T::U16).vals(GROUPS);
    KEY_SHARE_KEX_LENGTH = ("handshake.extensions_key_share_key_exchange_length", "Key Exchange Length", T::U16);
    KEY_SHARE_KEX = ("handshake.extensions_key_share_key_exchange", "Key Exchange", T::Bytes);
    KEY_SHARE_SELECTED_GROUP = ("handshake.extensions_key_share_selected_group", "Selected Group", T::U16).vals(GROUPS);
    SUPPORTED_VERSIONS_LEN = ("handshake.extensions.supported_versions_len", "Supported Versions length", T::U8);
    SUPPORTED_VERSION = ("handshake.extensions.supported_version", "Supported Version", T::U16).hex().vals(VERSIONS);
    PSK_KE_MODES_LENGTH = ("extension.psk_ke_modes_length", "PSK Key Exchange Modes Length", T::U8);
    PSK_KE_MODE = ("extension.psk_ke_mode", "PSK Key Exchange Mode", T::U8).vals(PSK_KE_MODES)
        .blurb("Key exchange modes where the client supports use of PSKs");
    PADDING_DATA = ("handshake.extensions_padding_data", "Padding Data", T::Bytes).blurb("Must be zero");
    STATUS_REQUEST_TYPE = ("handshake.extensions_status_request_type", "Certificate Status Type", T::U8)
        .vals(STATUS_REQUEST_TYPES);
    STATUS_REQUEST_LEN = ("handshake.extensions_status_request_len", "Certificate Status Length", T::U16);
    STATUS_REQUEST_RESPONDER_IDS_LEN = ("handshake.extensions_status_request_responder_ids_len", "Responder ID list Length", T::U16);
    STATUS_REQUEST_EXTS_LEN = ("handshake.extensions_status_request_exts_len", "Request Extensions Length", T::U16);
    STATUS_REQUEST_LIST_LEN = ("handshake.extensions_status_request_list_len", "Certificate Status List Length", T::U16)
        .blurb("CertificateStatusRequestItemV2 list length");
    HEARTBEAT_MODE = ("handshake.extension.heartbeat.mode", "Mode", T::U8).vals(HEARTBEAT_MODES)
        .blurb("Heartbeat extension mode");
    RECORD_SIZE_LIMIT = ("record_size_limit", "Record Size Limit", T::U16)
        .blurb("Maximum record size that an endpoint is willing to receive");
    MAX_FRAGMENT_LENGTH = ("handshake.max_fragment_length", "Maximum Fragment Length", T::U8).vals(MAX_FRAGMENT_LENGTHS);
    COMPRESS_CERT_ALGS_LENGTH = ("compress_certificate.algorithms_length", "Algorithms Length", T::U8);
    COMPRESS_CERT_ALG = ("compress_certificate.algorithm", "Algorithm", T::U16).vals(CERT_COMPRESSION);
    JA3_FULL = ("handshake.ja3_full", "JA3 Fullstring", T::String);
    JA3 = ("handshake.ja3", "JA3", T::String);
    JA3S_FULL = ("handshake.ja3s_full", "JA3S Fullstring", T::String);
    JA3S = ("handshake.ja3s", "JA3S", T::String);
    CERTIFICATES_LENGTH = ("handshake.certificates_length", "Certificates Length", T::U24)
        .blurb("Length of certificates field");
    CERTIFICATES = ("handshake.certificates", "Certificates", T::None).blurb("List of certificates");
    CERTIFICATE_LENGTH = ("handshake.certificate_length", "Certificate Length", T::U24)
        .blurb("Length of certificate");
    CERTIFICATE = ("handshake.certificate", "Certificate", T::Bytes);
    SERVER_CURVE_TYPE = ("handshake.server_curve_type", "Curve Type", T::U8).hex().vals(CURVE_TYPES)
        .blurb("Server curve_type");
    SERVER_NAMED_CURVE = ("handshake.server_named_curve", "Named Curve", T::U16).hex().vals(GROUPS)
        .blurb("Server named_curve");
    SERVER_POINT_LEN = ("handshake.server_point_len", "Pubkey Length", T::U8)
        .blurb("Length of server's EC Diffie-Hellman public key");
    SERVER_POINT = ("handshake.server_point", "Pubkey", T::Bytes).blurb("EC Diffie-Hellman server pubkey");
    SERVER_P_LEN = ("handshake.p_len", "p Length", T::U16).blurb("Length of p");
    SERVER_P = ("handshake.p", "p", T::Bytes).blurb("Diffie-Hellman p");
    SERVER_G_LEN = ("handshake.g_len", "g Length", T::U16).blurb("Length of g");
    SERVER_G = ("handshake.g", "g", T::Bytes).blurb("Diffie-Hellman g");
    SERVER_YS_LEN = ("handshake.ys_len", "Pubkey Length", T::U16).blurb("Length of server's Diffie-Hellman public key");
    SERVER_YS = ("handshake.ys", "Pubkey", T::Bytes).blurb("Diffie-Hellman server pubkey");
    SIG_LEN = ("handshake.sig_len", "Signature Length", T::U16).blurb("Length of Signature");
    SIG = ("handshake.sig", "Signature", T::Bytes).blurb("Diffie-Hellman server signature");
    CLIENT_POINT_LEN = ("handshake.client_point_len", "Pubkey Length", T::U8)
        .blurb("Length of client's EC Diffie-Hellman public key");
    CLIENT_POINT = ("handshake.client_point", "Pubkey", T::Bytes).blurb("EC Diffie-Hellman client pubkey");
    YC_LEN = ("handshake.yc_len", "Pubkey Length", T::U16).blurb("Length of client's Diffie-Hellman public key");
    YC = ("handshake.yc", "Pubkey", T::Bytes).blurb("Diffie-Hellman client pubkey");
    EPMS_LEN = ("handshake.epms_len", "Encrypted PreMaster length", T::U16).blurb("Length of encrypted PreMaster secret");
    EPMS = ("handshake.epms", "Encrypted PreMaster", T::Bytes).blurb("Encrypted PreMaster secret");
    CERT_TYPES_COUNT = ("handshake.cert_types_count", "Certificate types count", T::U8)
        .blurb("Count of certificate types");
    CERT_TYPES_F = ("handshake.cert_types", "Certificate types", T::None).blurb("List of certificate types");
    CERT_TYPE = ("handshake.cert_type", "Certificate type", T::U8).vals(CERT_TYPES);
    DNAMES_LEN = ("handshake.dnames_len", "Distinguished Names Length", T::U16)
        .blurb("Length of list of CAs that server trusts");
    DNAMES = ("handshake.dnames", "Distinguished Names", T::None).blurb("List of CAs that server trusts");
    DNAME_LEN = ("handshake.dname_len", "Distinguished Name Length", T::U16)
        .blurb("Length of distinguished name");
    DNAME = ("handshake.dname", "Distinguished Name", T::None).blurb("Distinguished name of a CA that server trusts");
    CERT_VERIFY_SIG_LEN = ("handshake.client_cert_vrfy.sig_len", "Signature length", T::U16)
        .blurb("Length of CertificateVerify's signature");
    CERT_VERIFY_SIG = ("handshake.client_cert_vrfy.sig", "Signature", T::Bytes)
        .blurb("CertificateVerify's signature");
    TICKET_LIFETIME_HINT = ("handshake.session_ticket_lifetime_hint", "Session Ticket Lifetime Hint", T::U32)
        .blurb("New Session Ticket Lifetime Hint");
    TICKET_AGE_ADD = ("handshake.session_ticket_age_add", "Session Ticket Age Add", T::U32)
        .blurb("Random 32-bit value to obscure age of ticket");
    TICKET_NONCE_LENGTH = ("handshake.session_ticket_nonce_length", "Session Ticket Nonce Length", T::U8);
    TICKET_NONCE = ("handshake.session_ticket_nonce", "Session Ticket Nonce", T::Bytes)
        .blurb("A unique per-ticket value");
    TICKET_LENGTH = ("handshake.session_ticket_length", "Session Ticket Length", T::U16)
        .blurb("New Session Ticket Length");
    TICKET = ("handshake.session_ticket", "Session Ticket", T::Bytes).blurb("New Session Ticket");
    VERIFY_DATA = ("handshake.verify_data", "Verify Data", T::None).blurb("Opaque verification data");
    }
    dtls_only {
        EPOCH = FieldDef::new("dtls.record.epoch", "Epoch", T::U16);
        SEQUENCE = FieldDef::new("dtls.record.sequence_number", "Sequence Number", T::U64);
        MESSAGE_SEQ = FieldDef::new("dtls.handshake.message_seq", "Message Sequence", T::U16)
            .blurb("Message sequence number");
        FRAGMENT_OFFSET = FieldDef::new("dtls.handshake.fragment_offset", "Fragment Offset", T::U24)
            .blurb("Fragment offset of handshake message");
        FRAGMENT_LENGTH = FieldDef::new("dtls.handshake.fragment_length", "Fragment Length", T::U24)
            .blurb("Fragment length of handshake message");
        COOKIE_LENGTH = FieldDef::new("dtls.handshake.cookie_length", "Cookie Length", T::U8)
            .blurb("Length of the cookie field");
        COOKIE = FieldDef::new("dtls.handshake.cookie", "Cookie", T::Bytes);
        FRAGMENTS = FieldDef::new("dtls.fragments", "Message fragments", T::None);
        FRAGMENT = FieldDef::new("dtls.fragment", "Message fragment", T::FrameNum);
        FRAGMENT_COUNT = FieldDef::new("dtls.fragment.count", "Message fragment count", T::U32);
        REASSEMBLED_LENGTH = FieldDef::new("dtls.reassembled.length", "Reassembled DTLS length", T::U32);
    }
}
