//! Command-line flags, spelled as tshark spells them so tshark command lines keep working.

use clap::{ArgAction, Parser};

/// lowshark: a packet analyzer for low-power IoT networks (802.15.4, 6LoWPAN, RPL, CoAP, MQTT,
/// XMPP) with tshark's flags and field names.
#[derive(Parser, Debug, Default)]
#[command(name = "lowshark", disable_version_flag = true, max_term_width = 100)]
pub struct Args {
    /// Read packets from this capture file (pcap or pcapng; "-" for standard input).
    #[arg(short = 'r', long = "read-file", value_name = "FILE")]
    pub read: Option<String>,

    /// Capture file to open when no -r is given (`lowshark FILE`).
    #[arg(value_name = "FILE")]
    pub file: Option<String>,

    /// Stop after this many packets.
    #[arg(short = 'c', value_name = "COUNT")]
    pub count: Option<u64>,

    /// Print the packet details (protocol tree) of every packet.
    #[arg(short = 'V')]
    pub verbose: bool,

    /// Print a hex and ASCII dump of every packet's data sources.
    #[arg(short = 'x')]
    pub hex: bool,

    /// Also print the summary line when -V or -x is given (tshark's -P).
    #[arg(short = 'P')]
    pub print_summary: bool,

    /// Output format: text, json, ek, fields, pdml (packet details as XML) or psml (packet list
    /// as XML).
    #[arg(short = 'T', value_name = "FORMAT")]
    pub format: Option<String>,

    /// JSON protocol filter: only these protocols' (and subtrees') nodes are expanded, e.g.
    /// -j "ip udp" (others show as {"filtered": name}).
    #[arg(short = 'j', value_name = "PROTOCOLS")]
    pub json_filter: Option<String>,

    /// JSON protocol filter with all children: these protocols are shown whole, e.g. -J "coap".
    #[arg(short = 'J', value_name = "PROTOCOLS")]
    pub json_filter_all: Option<String>,

    /// Field to print with -T fields (repeatable), e.g. -e ipv6.src -e _ws.col.Info.
    #[arg(short = 'e', value_name = "FIELD", action = ArgAction::Append)]
    pub fields: Vec<String>,

    /// -T fields options: header=y|n, separator=/t|/s|C, occurrence=f|l|a|N, aggregator=C,
    /// quote=d|s|n.
    #[arg(short = 'E', value_name = "OPTION=VALUE", action = ArgAction::Append)]
    pub field_opts: Vec<String>,

    /// Display filter: only packets that match are printed, written and counted.
    #[arg(short = 'Y', long = "display-filter", value_name = "FILTER")]
    pub display_filter: Option<String>,

    /// Read filter (tshark's two-pass filter); treated like -Y.
    #[arg(short = 'R', long = "read-filter", value_name = "FILTER")]
    pub read_filter: Option<String>,

    /// Two-pass analysis (accepted for compatibility; lowshark dissects in one pass).
    #[arg(short = '2')]
    pub two_pass: bool,

    /// Set a preference, e.g. -o 6lowpan.context0:fd00::/64 or -o tcp.check_checksum:TRUE.
    #[arg(short = 'o', value_name = "NAME:VALUE", action = ArgAction::Append)]
    pub prefs: Vec<String>,

    /// Decode as: -d udp.port==61616,coap.
    #[arg(short = 'd', value_name = "RULE", action = ArgAction::Append)]
    pub decode_as: Vec<String>,

    /// Statistics: io,phs  io,stat,INTERVAL[,FILTER|COUNT(f)FILTER|SUM|MIN|MAX|AVG(f)FILTER…]
    /// expert[,error|warn|note|chat|comment][,FILTER]  conv,eth|ip|ipv6|udp|tcp|wpan
    /// endpoints,…  rpl,tree[,dot]  coap,srt  coap,observe  mqtt,topics  follow,tcp,ascii,N.
    #[arg(short = 'z', value_name = "STATISTIC", action = ArgAction::Append)]
    pub stats: Vec<String>,

    /// Quiet: don't print packets (for -z statistics).
    #[arg(short = 'q')]
    pub quiet: bool,

    /// Glossary: fields, protocols, decodes, defaultprefs.
    #[arg(short = 'G', value_name = "REPORT", num_args = 0..=1, default_missing_value = "fields")]
    pub glossary: Option<String>,

    /// Write the packets (those passing -Y) to this file (pcapng; -F pcap for pcap).
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<String>,

    /// Output file format for -w: pcapng (default) or pcap.
    #[arg(short = 'F', value_name = "FORMAT")]
    pub write_format: Option<String>,

    /// Capture from this interface (repeatable; several merge in time order): a sniffer
    /// dongle (nrf802154:PATH, spinel:PATH, sensniff:PATH, ti-sniffer2:PATH, cc2531[:BUS.ADDR]),
    /// a ZEP listener (zep[:[ADDR:]PORT], UDP 17754 by default) or a libpcap interface (needs
    /// the `live` feature). lowshark -D lists them.
    #[arg(short = 'i', value_name = "INTERFACE", action = ArgAction::Append)]
    pub interface: Vec<String>,

    /// Radio channel for the dongles: 11 to 26 (2.4 GHz), default 11.
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// Serial baud rate for a dongle that needs one (default: the firmware's own).
    #[arg(long = "baud", value_name = "RATE")]
    pub baud: Option<u32>,

    /// Channel survey: hop one dongle over channels 11-26, DWELL_MS on each (default 1000),
    /// then print frames, PAN IDs, coordinators and RSSI per channel.
    #[arg(long = "survey", value_name = "DWELL_MS", num_args = 0..=1, default_missing_value = "1000")]
    pub survey: Option<u64>,

    /// Run an emulated sniffer dongle (nrf802154, spinel, sensniff, ti-sniffer2) replaying the
    /// 802.15.4 frames of FILE, and print the path to give -i.
    #[arg(long = "emulate", value_name = "FIRMWARE")]
    pub emulate: Option<String>,

    /// Capture filter (BPF) for live capture.
    #[arg(short = 'f', value_name = "FILTER")]
    pub capture_filter: Option<String>,

    /// List capture interfaces.
    #[arg(short = 'D')]
    pub list_interfaces: bool,

    /// Time display format: r (relative, default), a (absolute), ad (absolute with date),
    /// d (delta), dd (delta displayed), e (epoch), u (UTC), ud (UTC with date).
    #[arg(short = 't', value_name = "FORMAT")]
    pub time_format: Option<String>,

    /// Disable name resolution (lowshark never resolves names; accepted for compatibility).
    #[arg(short = 'n')]
    pub no_resolve: bool,

    /// Flush output after each packet.
    #[arg(short = 'l')]
    pub line_buffered: bool,

    /// Colour packets as Wireshark's default colouring rules do: `-T psml` and `-T pdml` get
    /// tshark's `foreground`/`background` attributes (termshark colours its list with them).
    #[arg(long = "color")]
    pub color: bool,

    /// JSON: repeated keys become arrays (always the case in lowshark; accepted).
    #[arg(long = "no-duplicate-keys")]
    pub no_duplicate_keys: bool,

    /// 6LoWPAN context, e.g. --6lowpan-context 0=fd00::/64 (same as -o 6lowpan.context0:fd00::/64).
    #[arg(long = "6lowpan-context", value_name = "ID=PREFIX", action = ArgAction::Append)]
    pub sixlowpan_contexts: Vec<String>,

    /// Turn a protocol off: it is not called and its bytes show as data, as in tshark
    /// (repeatable; a comma-separated list also works).
    #[arg(long = "disable-protocol", value_name = "PROTO", action = ArgAction::Append)]
    pub disable_protocol: Vec<String>,

    /// Turn a protocol turned off by --disable-protocol back on.
    #[arg(long = "enable-protocol", value_name = "PROTO", action = ArgAction::Append)]
    pub enable_protocol: Vec<String>,

    /// Turn a heuristic dissector on (e.g. coap for CoAP on any UDP port).
    #[arg(long = "enable-heuristic", value_name = "PROTO", action = ArgAction::Append)]
    pub enable_heuristic: Vec<String>,

    /// Turn a heuristic dissector off.
    #[arg(long = "disable-heuristic", value_name = "PROTO", action = ArgAction::Append)]
    pub disable_heuristic: Vec<String>,

    /// Print packets even on a terminal (without it, `lowshark FILE` on a terminal with no
    /// output option opens the interactive TUI).
    #[arg(long = "no-tui")]
    pub no_tui: bool,

    /// Print the version.
    #[arg(short = 'v', long = "version")]
    pub version: bool,

    /// Autostop condition: duration:SECONDS, packets:N or filesize:KB (repeatable; the first
    /// reached ends the capture).
    #[arg(short = 'a', value_name = "CONDITION", action = ArgAction::Append)]
    pub autostop: Vec<String>,

    /// Ring buffer for -w: filesize:KB (new file after KB kB), files:N (keep the last N),
    /// duration:SECONDS (new file after that long). Files are named NAME_00001_YYYYMMDDHHMMSS.EXT.
    #[arg(short = 'b', value_name = "CONDITION", action = ArgAction::Append)]
    pub ring: Vec<String>,

    /// Snap length: keep at most this many bytes of each packet (libpcap interfaces).
    #[arg(short = 's', value_name = "SNAPLEN")]
    pub snaplen: Option<u32>,

    /// Don't put the interface into promiscuous mode.
    #[arg(short = 'p')]
    pub no_promisc: bool,

    /// Wireshark extcap: list the interfaces.
    #[arg(long = "extcap-interfaces", hide = true)]
    pub extcap_interfaces: bool,

    /// Wireshark extcap: the version Wireshark speaks (answered with the interface list).
    #[arg(long = "extcap-version", hide = true, num_args = 0..=1, default_missing_value = "")]
    pub extcap_version: Option<String>,

    /// Wireshark extcap: the interface the call is about.
    #[arg(long = "extcap-interface", hide = true)]
    pub extcap_interface: Option<String>,

    /// Wireshark extcap: the interface's link types.
    #[arg(long = "extcap-dlts", hide = true)]
    pub extcap_dlts: bool,

    /// Wireshark extcap: the interface's options.
    #[arg(long = "extcap-config", hide = true)]
    pub extcap_config: bool,

    /// Wireshark extcap: capture into --fifo.
    #[arg(long = "capture", hide = true)]
    pub extcap_capture: bool,

    /// Wireshark extcap: where --capture writes pcap.
    #[arg(long = "fifo", hide = true)]
    pub fifo: Option<String>,

    /// Wireshark extcap: the capture filter typed in Wireshark (not applied to dongles).
    #[arg(long = "extcap-capture-filter", hide = true)]
    pub extcap_capture_filter: Option<String>,

    /// Wireshark extcap: the port of a generic interface (serial path, BUS.ADDR, ZEP address).
    #[arg(long = "device", hide = true)]
    pub device: Option<String>,

    /// Wireshark extcap: debug logging (accepted, ignored).
    #[arg(long = "debug", hide = true)]
    pub extcap_debug: bool,

    /// Wireshark extcap: debug log file (accepted, ignored).
    #[arg(long = "debug-file", hide = true)]
    pub extcap_debug_file: Option<String>,
}

impl Args {
    /// The display filter: `-Y`, or `-R` (treated alike).
    pub fn filter_text(&self) -> Option<&String> {
        self.display_filter.as_ref().or(self.read_filter.as_ref())
    }
}
