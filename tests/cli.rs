//! The command line as a user drives it, on the captures shipped in captures/.

mod support;

use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lowshark"))
}

fn capture(name: &str) -> String {
    support::project(name).display().to_string()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("lowshark runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn summary_lines_for_every_frame() {
    let o = run(&["-r", &capture("ip-basics.pcap")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 22);
    let first = out.lines().next().unwrap();
    assert!(first.trim_start().starts_with("1 "), "{first}");
    assert!(out.contains(" → "), "addresses are shown");
}

#[test]
fn positional_file_prints_when_not_a_terminal() {
    let o = run(&[&capture("demo.pcapng"), "-c", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
}

#[test]
fn count_limits_frames_read() {
    let o = run(&[
        "-r",
        &capture("demo.pcapng"),
        "-c",
        "5",
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    assert_eq!(stdout(&o), "1\n2\n3\n4\n5\n");
}

#[test]
fn detail_tree_has_layers_and_indented_fields() {
    let o = run(&["-r", &capture("ip-basics.pcap"), "-V", "-c", "1"]);
    let out = stdout(&o);
    assert!(out.starts_with("Frame 1: "), "{out}");
    assert!(out.contains("\nEthernet II, Src: "));
    assert!(out.contains("\n    Destination: "));
}

#[test]
fn hex_dump_lists_frame_bytes() {
    let o = run(&["-r", &capture("ip-basics.pcap"), "-x", "-c", "1"]);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("0000  ")), "{out}");
}

#[test]
fn json_is_an_array_of_documents_with_layers() {
    let o = run(&["-r", &capture("ip-basics.pcap"), "-T", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 22);
    let layers = &arr[0]["_source"]["layers"];
    assert_eq!(layers["frame"]["frame.number"], "1");
    assert!(layers["eth"]["eth.dst"].is_string());
    assert_eq!(arr[0]["_type"], "doc");
}

#[test]
fn json_raw_adds_raw_entries() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-T",
        "json",
        "-x",
        "-c",
        "1",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let layers = &v[0]["_source"]["layers"];
    assert!(layers["frame_raw"].is_array());
    assert_eq!(layers["eth"]["eth.dst_raw"][1], 0);
    assert_eq!(layers["eth"]["eth.dst_raw"][2], 6);
}

#[test]
fn empty_json_output_is_still_valid() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-T",
        "json",
        "-Y",
        "frame.number == 999",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v.as_array().unwrap().len(), 0);
}

#[test]
fn ek_is_two_json_lines_per_packet() {
    let o = run(&["-r", &capture("ip-basics.pcap"), "-T", "ek", "-c", "4"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8);
    for (i, l) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
        if i % 2 == 0 {
            assert!(v["index"]["_index"]
                .as_str()
                .unwrap()
                .starts_with("packets-"));
        } else {
            assert_eq!(
                v["layers"]["frame"]["frame_frame_number"],
                (i / 2 + 1).to_string()
            );
            assert_eq!(v["layers"]["frame"]["frame_frame_marked"], false);
        }
    }
}

#[test]
fn fields_with_header_separator_and_occurrence() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-c",
        "2",
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "eth.addr",
        "-E",
        "header=y",
        "-E",
        "separator=,",
        "-E",
        "occurrence=f",
        "-E",
        "quote=d",
    ]);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("frame.number,eth.addr"));
    let l = lines.next().unwrap();
    assert!(l.starts_with("\"1\",\""), "{l}");
    assert_eq!(l.matches(':').count(), 5, "only the first address: {l}");
}

#[test]
fn columns_are_fields_too() {
    let file = capture("ip-basics.pcap");
    let mut args = vec!["-r", &file, "-c", "1"];
    args.extend(support::fields_args(&["_ws.col.Protocol", "_ws.col.Info"]));
    let o = run(&args);
    let out = stdout(&o);
    assert!(!out.trim().is_empty());
    assert!(out.contains('\t'));
}

#[test]
fn display_filter_selects_packets() {
    let all = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-Y",
        "udp",
    ]);
    let n = stdout(&all).lines().count();
    assert!(n > 0 && n < 22, "udp frames: {n}");
}

#[test]
fn statistics_print_after_packets() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-q",
        "-z",
        "io,phs",
        "-z",
        "conv,ip",
        "-z",
        "endpoints,udp",
    ]);
    let out = stdout(&o);
    assert!(out.contains("Protocol Hierarchy Statistics"));
    assert!(out.contains("IPv4 Conversations"));
    assert!(out.contains("UDP Endpoints"));
    assert!(out.contains("eth "));
}

#[test]
fn write_then_read_back() {
    let dir = std::env::temp_dir().join(format!("lowshark-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (fmt, name) in [("pcapng", "out.pcapng"), ("pcap", "out.pcap")] {
        let out = dir.join(name);
        let o = run(&[
            "-r",
            &capture("ip-basics.pcap"),
            "-Y",
            "udp",
            "-w",
            out.to_str().unwrap(),
            "-F",
            fmt,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let back = run(&[
            "-r",
            out.to_str().unwrap(),
            "-T",
            "fields",
            "-e",
            "udp.srcport",
        ]);
        let lines = stdout(&back);
        assert!(
            lines.lines().count() > 0 && lines.lines().all(|l| !l.is_empty()),
            "{lines}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn glossary_lists_fields_like_tshark() {
    let o = run(&["-G", "fields"]);
    let out = stdout(&o);
    assert!(out
        .lines()
        .any(|l| l.starts_with("P\tUser Datagram Protocol\tudp")));
    assert!(out
        .lines()
        .any(|l| l == "F\tSource Port\tudp.srcport\tFT_UINT16\tudp\tBASE_DEC\t0x0\t"));
    assert!(out.contains("\ttcp.flags.syn\tFT_BOOLEAN\ttcp\t12\t0x2\t"));
    let o = run(&["-G", "protocols"]);
    assert!(stdout(&o).lines().any(|l| l.ends_with("\tipv6")));
}

#[test]
fn missing_file_is_a_clear_error() {
    let o = run(&["-r", "/nonexistent/x.pcap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/x.pcap"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn not_a_capture_is_a_clear_error() {
    let o = run(&["-r", &format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).is_empty());
}

#[test]
fn truncated_file_prints_complete_frames_then_fails() {
    let data = std::fs::read(capture("ip-basics.pcap")).unwrap();
    let cut = std::env::temp_dir().join(format!("lowshark-cut-{}.pcap", std::process::id()));
    std::fs::write(&cut, &data[..data.len() - 10]).unwrap();
    let o = run(&[
        "-r",
        cut.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    std::fs::remove_file(&cut).ok();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stdout(&o).lines().count(),
        21,
        "every complete frame is printed"
    );
    assert!(
        stderr(&o).contains("21"),
        "the error says where the file ends: {}",
        stderr(&o)
    );
}

#[test]
fn bad_arguments_are_explained() {
    for (args, needle) in [
        (vec!["-T", "xml", "-r", "x"], "-T xml"),
        (vec!["-T", "fields", "-r", "x"], "-e"),
        (
            vec!["-e", "no.such.field", "-T", "fields", "-r", "x"],
            "no.such.field",
        ),
        (vec!["-d", "udp.port=1,coap", "-r", "x"], "=="),
        (vec!["-z", "bogus", "-r", "x"], "bogus"),
        (vec!["-E", "occurrence=0", "-r", "x"], "occurrence"),
        (vec!["-t", "zz", "-r", "x"], "-t zz"),
        (vec![], "no capture"),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn unknown_preference_is_only_a_warning() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-o",
        "nosuch.pref:1",
        "-c",
        "1",
    ]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("nosuch.pref"));
}

#[test]
fn decode_as_changes_dispatch() {
    let o = run(&[
        "-r",
        &capture("ip-basics.pcap"),
        "-T",
        "fields",
        "-e",
        "frame.protocols",
        "-d",
        "udp.port==53,data",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.ends_with("udp:data")));
}

#[test]
fn contexts_learned_from_6co_decompress_later_addresses() {
    // The demo's router advertisement (frame 29) carries a 6CO for context 0 = fd00::/64; no
    // -o 6lowpan.context0 is given, yet frame 31's global source address comes out whole.
    let o = run(&[
        "-r",
        &capture("demo.pcapng"),
        "-c",
        "31",
        "-T",
        "fields",
        "-e",
        "ipv6.src",
    ]);
    let out = stdout(&o);
    assert_eq!(out.lines().nth(30), Some("fd00::212:4b00:0:9"), "{out}");
}

#[test]
fn rpl_tree_draws_the_demo_dodag() {
    let o = run(&["-r", &capture("demo.pcapng"), "-q", "-z", "rpl,tree"]);
    let out = stdout(&o);
    assert!(
        out.starts_with("DODAG fd00::1: instance 30, version 240, MOP 1 (non-storing)"),
        "{out}"
    );
    // Edge by edge: each child is indented under its parent.
    for (parent, child) in [
        ("fd00::1 ", "fd00::212:4b00:0:2 "),
        ("fd00::1 ", "fd00::212:4b00:0:3 "),
        ("fd00::1 ", "fd00::212:4b00:0:4 "),
        ("fd00::212:4b00:0:2 ", "fd00::212:4b00:0:5 "),
        ("fd00::212:4b00:0:2 ", "fd00::212:4b00:0:6 "),
        ("fd00::212:4b00:0:3 ", "fd00::212:4b00:0:7 "),
        ("fd00::212:4b00:0:5 ", "fd00::212:4b00:0:8 "),
        ("fd00::212:4b00:0:7 ", "fd00::212:4b00:0:9 "),
    ] {
        let lines: Vec<&str> = out.lines().collect();
        let c = lines
            .iter()
            .position(|l| l.trim_start().starts_with(child))
            .unwrap_or_else(|| panic!("{child} missing:\n{out}"));
        let depth = |l: &str| l.len() - l.trim_start().len();
        let p = lines[..c]
            .iter()
            .rposition(|l| depth(l) < depth(lines[c]))
            .unwrap();
        assert!(
            lines[p].trim_start().starts_with(parent),
            "{child} should hang under {parent}:\n{out}"
        );
    }
    let dot = stdout(&run(&[
        "-r",
        &capture("demo.pcapng"),
        "-q",
        "-z",
        "rpl,tree,dot",
    ]));
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(
        dot.contains("\"fd00::212:4b00:0:9\" -> \"fd00::212:4b00:0:7\""),
        "{dot}"
    );
}

#[test]
fn statistics_of_the_protocols_above_ip() {
    let topics = stdout(&run(&[
        "-r",
        &capture("demo.pcapng"),
        "-q",
        "-z",
        "mqtt,topics",
    ]));
    assert!(topics.contains("sensors/0006/temp"), "{topics}");
    let srt = stdout(&run(&[
        "-r",
        &capture("demo.pcapng"),
        "-q",
        "-z",
        "coap,srt",
    ]));
    assert!(
        srt.lines()
            .any(|l| l.starts_with("/fw/image") && l.contains(" 24 ")),
        "{srt}"
    );
    let obs = stdout(&run(&[
        "-r",
        &capture("demo.pcapng"),
        "-q",
        "-z",
        "coap,observe",
    ]));
    assert!(
        obs.contains("/sensors/temp") && obs.contains("deregistered"),
        "{obs}"
    );
}

#[test]
fn follow_tcp_matches_tshark_layout() {
    let out = stdout(&run(&[
        "-r",
        &capture("demo.pcapng"),
        "-q",
        "-z",
        "follow,tcp,ascii,1",
    ]));
    assert!(out.contains("Follow: tcp,ascii\nFilter: tcp.stream eq 1\nNode 0: [2001:db8::1]:40312\nNode 1: [2001:db8::5]:5222\n137\n<?xml"), "{out}");
    // The stanza split across two segments shows as two chunks, as tshark shows it.
    assert!(
        out.contains(
            "\n61\n<message to='ops@example.org' from='gateway@example.org/lowpa\n82\nn-br'"
        ),
        "{out}"
    );
    if support::have_tshark() {
        for stream in ["0", "1"] {
            let spec = format!("follow,tcp,ascii,{stream}");
            let args = ["-r", &capture("demo.pcapng"), "-q", "-z", &spec];
            assert_eq!(
                stdout(&run(&args)),
                support::tshark(&args),
                "stream {stream}"
            );
        }
    }
}

/// `--disable-protocol P` as tshark: P is not called, its bytes show as data, and the layer
/// below names what it could not hand on (IPv4 `TCP (6)`, IPv6 `Unknown IP Protocol: …`,
/// Ethernet `0x0800`); TCP does not cut the stream of a protocol turned off. Without tshark,
/// the frames that carry UDP show as data.
#[test]
fn disable_protocol_matches_tshark() {
    let demo = capture("demo.pcapng");
    let columns = |tool: &dyn Fn(&[&str]) -> String, disable: Option<&str>| {
        let mut args = vec!["-n", "-r", &demo, "-T", "fields", "-e", "frame.number"];
        args.extend(["-e", "frame.protocols", "-e", "_ws.col.Protocol"]);
        args.extend(["-e", "_ws.col.Info"]);
        args.extend(disable.iter().flat_map(|p| ["--disable-protocol", p]));
        tool(&args).lines().map(str::to_string).collect::<Vec<_>>()
    };
    let ours = |args: &[&str]| stdout(&run(args));
    let udp_off = columns(&ours, Some("udp"));
    assert!(!udp_off.iter().any(|l| l.contains(":udp")), "{udp_off:?}");
    assert!(
        udp_off.iter().any(|l| l.contains("ipv6:data\t")),
        "{udp_off:?}"
    );
    // A name no protocol has is ignored, as tshark does, with a word on stderr.
    let unknown = run(&["-r", &demo, "-c", "1", "--disable-protocol", "nosuch"]);
    assert!(unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown protocol"));
    if !support::have_tshark() {
        return;
    }
    // Frames whose columns already differ without any protocol turned off are not this
    // test's business (frame.protocols of 6LoWPAN fragments and compressed extension headers).
    let theirs = |args: &[&str]| support::tshark(args);
    let agree: Vec<bool> = columns(&ours, None)
        .iter()
        .zip(columns(&theirs, None))
        .map(|(a, b)| *a == b)
        .collect();
    let mut compared = 0;
    for p in [
        "udp", "tcp", "ip", "ipv6", "icmpv6", "6lowpan", "coap", "mqtt", "xmpp", "arp",
    ] {
        let (a, b) = (columns(&ours, Some(p)), columns(&theirs, Some(p)));
        assert_eq!(a.len(), b.len(), "--disable-protocol {p}");
        for ((a, b), _) in a.iter().zip(&b).zip(&agree).filter(|(_, ok)| **ok) {
            assert_eq!(a, b, "--disable-protocol {p}");
            compared += 1;
        }
    }
    assert!(compared > 2500, "only {compared} frames compared");
}
