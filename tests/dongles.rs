//! Live capture from sniffer dongles, end to end through their emulators, driven as a user
//! would: `lowshark -i FIRMWARE:PTY --channel 15 -c N -T ek|fields [-w FILE]` against an
//! emulated firmware on a pseudo-terminal that answers the host's setup and streams frames.
//!
//! Each test checks that the channel was set (frames on other channels never arrive, every
//! frame says channel 15), that every frame the dongle delivered was decoded with its metadata
//! (sequence numbers, RSSI, LQI, FCS status, in order), that `-w` reads back the same with
//! lowshark and tshark, and that unplug/replug, firmware resets, garbage and wrong baud rates
//! behave. No test depends on timing beyond generous timeouts.

mod support;

use support::spawn_lowshark as spawn;

use lowshark::capture::dongle::SerialFirmware;
use lowshark::capture::emulate::{Air, AirFrame, Delivered, Emulator, Options};
use std::path::Path;
use std::time::{Duration, Instant};

/// Frames on channels 15 and 20, every fifth with a bad FCS.
fn air(n: usize) -> Air {
    let frames = (0..n)
        .map(|i| AirFrame {
            // Data frame, PAN id compression, short addresses: PAN 0xabcd, 0x0001 → broadcast.
            mpdu: vec![
                0x41, 0x88, i as u8, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0xde, 0xad, i as u8,
            ],
            channel: Some(if i % 4 == 3 { 20 } else { 15 }),
            rssi: -30 - (i % 40) as i8,
            lqi: 100 + (i % 100) as u8,
            bad_fcs: i % 5 == 4,
        })
        .collect();
    Air { frames }
}

fn fast() -> Options {
    Options {
        pace: Duration::from_millis(15),
        repeat: false,
        ..Options::default()
    }
}

const FIELDS: [&str; 5] = [
    "wpan.seq_no",
    "wpan-tap.ch_num",
    "wpan-tap.rss",
    "wpan-tap.lqi",
    "wpan.fcs_ok",
];

fn field_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = extra.to_vec();
    v.extend(support::fields_args(&FIELDS));
    v
}

/// The line `-T fields` must print for a delivered frame.
fn expected_line(d: &Delivered, air: &Air, sensniff: bool, ti: bool) -> String {
    let f = air
        .frames
        .iter()
        .find(|f| f.mpdu == d.mpdu)
        .expect("delivered frame is on the air");
    // The radio's LQI is 7 bits in the CC24xx trailer sensniff uses; TI Sniffer 2 gives none.
    let lqi = if sensniff { f.lqi & 0x7f } else { f.lqi };
    let lqi = if ti { String::new() } else { lqi.to_string() };
    format!(
        "{}\t{}\t{}\t{}\t{}",
        f.mpdu[2],
        d.channel,
        f.rssi,
        lqi,
        if d.bad_fcs { 0 } else { 1 }
    )
}

/// Runs the end-to-end check of one serial firmware.
fn end_to_end(fw: SerialFirmware) {
    let air = air(24);
    let emu = Emulator::start(fw, air.clone(), fast()).expect("emulator");
    let sensniff = fw == SerialFirmware::Sensniff;
    let expected = air
        .frames
        .iter()
        .filter(|f| f.channel == Some(15) && !(sensniff && f.bad_fcs))
        .count();
    let iface = format!("{}:{}", fw.name(), emu.path().display());
    let w = support::temp_path(&format!("{}.pcapng", fw.name()));
    let w_path = w.0.to_string_lossy().into_owned();
    let n = expected.to_string();
    let cap = spawn(&field_args(&[
        "-i",
        &iface,
        "--channel",
        "15",
        "-c",
        &n,
        "-w",
        &w_path,
    ]));
    let (code, err) = cap.finish();
    assert_eq!(code, 0, "{iface}: {err}");
    assert!(
        err.contains(&format!("{expected} packets captured")),
        "{err}"
    );
    let delivered = emu.delivered();
    assert_eq!(
        delivered.len(),
        expected,
        "the emulator delivered every channel-15 frame"
    );
    assert!(delivered.iter().all(|d| d.channel == 15));
    let want: Vec<String> = delivered
        .iter()
        .map(|d| expected_line(d, &air, sensniff, fw == SerialFirmware::TiSniffer2))
        .collect();
    read_back(&w.0, &want, &iface);
    if sensniff {
        assert!(
            want.iter().all(|l| l.ends_with("\t1")),
            "sensniff never passes a bad FCS"
        );
    } else {
        assert!(
            want.iter().any(|l| l.ends_with("\t0")),
            "some frames have a bad FCS"
        );
    }
}

/// The saved capture `file` read back by lowshark and (when installed) by tshark gives the
/// `-T fields` lines `want`, field for field.
fn read_back(file: &Path, want: &[String], what: &str) {
    let ours = support::run(&field_args(&[]), file);
    let ours: Vec<&str> = ours.stdout.lines().collect();
    assert_eq!(ours, want, "{what}: -w read back by lowshark");
    if support::have_tshark() {
        let theirs = support::tshark(&field_args(&["-r", file.to_str().unwrap()]));
        let theirs: Vec<&str> = theirs.lines().collect();
        assert_eq!(theirs, want, "{what}: -w read back by tshark");
    }
}

/// One test per firmware running the same scenario.
macro_rules! per_firmware {
    ($scenario:ident: $($(#[$doc:meta])* $test:ident => $fw:ident),+ $(,)?) => {
        $(
            $(#[$doc])*
            #[test]
            fn $test() {
                $scenario(SerialFirmware::$fw);
            }
        )+
    };
}

per_firmware!(end_to_end:
    nrf802154_end_to_end => Nrf802154,
    spinel_end_to_end => Spinel,
    sensniff_end_to_end => Sensniff,
    /// The emulated board runs at 921600; lowshark tries 3 000 000 first, gets noise, moves on.
    ti_sniffer2_end_to_end_with_baud_probe => TiSniffer2,
);

/// `-T ek` live: every packet as it comes, with the TAP metadata in its layers.
#[test]
fn nrf802154_ek_output() {
    let emu = Emulator::start(SerialFirmware::Nrf802154, air(8), fast()).expect("emulator");
    let iface = format!("nrf802154:{}", emu.path().display());
    let cap = spawn(&["-i", &iface, "--channel", "15", "-c", "3", "-T", "ek"]);
    let lines = cap.take(6);
    for pair in lines.chunks(2) {
        assert!(pair[0].starts_with("{\"index\""), "{}", pair[0]);
        let v: serde_json::Value = serde_json::from_str(&pair[1]).expect("ek JSON");
        let tap = &v["layers"]["wpan-tap"];
        assert_eq!(tap["wpan-tap_wpan-tap_ch_num"], "15", "{v}");
        assert!(tap["wpan-tap_wpan-tap_rss"].is_string(), "{v}");
        assert!(tap["wpan-tap_wpan-tap_sof_ts"].is_string(), "{v}");
    }
    let (code, _) = cap.finish();
    assert_eq!(code, 0);
}

/// Unplug and replug at the same path: the capture says so, waits, sets the dongle up again
/// and goes on; no frame the dongle delivered is lost. Also a firmware reset without unplug.
fn replug(fw: SerialFirmware) {
    let dir = std::env::temp_dir().join(format!(
        "lowshark-replug-{}-{}",
        fw.name(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("ttyACM0");
    let opts = Options {
        pace: Duration::from_millis(20),
        repeat: true,
        quirks: false,
        link: Some(link.clone()),
        ..Options::default()
    };
    // Only channel-15 frames with a good FCS: every frame on the air arrives.
    let mut a = air(6);
    a.frames.iter_mut().for_each(|f| {
        f.channel = Some(15);
        f.bad_fcs = false;
    });
    let emu = Emulator::start(fw, a, opts).expect("emulator");
    let iface = format!("{}:{}", fw.name(), link.display());
    let args = field_args(&["-i", &iface, "--channel", "15", "-l"]);
    let cap = spawn(&args);
    let before = cap.take(5);
    emu.unplug();
    // Everything delivered before the unplug was read (the emulator waited for it).
    let delivered_before = emu.delivered().len();
    let mut got = before.len();
    got += std::iter::from_fn(|| cap.lines.recv_timeout(Duration::from_secs(2)).ok()).count();
    assert_eq!(
        got, delivered_before,
        "{iface}: frames delivered before the unplug"
    );
    let gone = cap
        .stderr
        .recv_timeout(Duration::from_secs(30))
        .expect("a message");
    let gone = if gone.starts_with("Capturing on") {
        cap.stderr
            .recv_timeout(Duration::from_secs(30))
            .expect("a message")
    } else {
        gone
    };
    assert!(gone.contains("device gone"), "{gone}");
    assert!(emu.replug().is_some());
    let back = cap
        .stderr
        .recv_timeout(Duration::from_secs(30))
        .expect("a message");
    assert!(back.contains("device back"), "{back}");
    let after = cap.take(5);
    assert!(
        after.iter().all(|l| l.split('\t').nth(1) == Some("15")),
        "{after:?}"
    );
    // A firmware reset forgets the channel; the periodic check sets it up again.
    emu.reset();
    let msg = cap
        .stderr
        .recv_timeout(Duration::from_secs(30))
        .expect("a message");
    assert!(msg.contains("setup again"), "{msg}");
    cap.take(3);
    drop(cap);
    let _ = std::fs::remove_dir_all(&dir);
}

per_firmware!(replug:
    nrf802154_replug_and_reset => Nrf802154,
    spinel_replug_and_reset => Spinel,
    sensniff_replug_and_reset => Sensniff,
);

/// A device that sends only noise, and one at another baud rate: a clear message within a
/// few seconds, exit code 2, no panic.
#[test]
fn garbage_and_wrong_baud_fail_clearly() {
    let cases = [
        (
            SerialFirmware::Nrf802154,
            Options {
                garbage: true,
                ..fast()
            },
            None,
        ),
        (
            SerialFirmware::Sensniff,
            Options {
                baud: Some(115_200),
                ..fast()
            },
            None,
        ),
        (SerialFirmware::Spinel, fast(), Some("460800")),
    ];
    for (fw, opts, baud) in cases {
        let emu = Emulator::start(fw, air(4), opts).expect("emulator");
        let iface = format!("{}:{}", fw.name(), emu.path().display());
        let mut args = vec!["-i", &iface, "-c", "1"];
        if let Some(b) = baud {
            args.extend(["--baud", b]);
        }
        let started = Instant::now();
        let (code, err) = spawn(&args).finish();
        assert_eq!(code, 2, "{iface}: {err}");
        assert!(
            err.contains("no valid frames from") && err.contains("wrong device or baud rate?"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}

#[test]
fn missing_path_and_not_a_serial_device() {
    let (code, err) = spawn(&["-i", "nrf802154:/nonexistent/ttyACM0", "-c", "1"]).finish();
    assert_eq!(code, 2);
    assert!(err.contains("is the dongle plugged in?"), "{err}");
    let (code, err) = spawn(&["-i", "sensniff:/etc/hostname", "-c", "1"]).finish();
    assert_eq!(code, 2);
    assert!(err.contains("not a serial device"), "{err}");
    let (code, err) = spawn(&["-i", "nrf802154:/dev/null", "--channel", "30", "-c", "1"]).finish();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("11 to 26"), "{err}");
}

/// Two dongles on two channels: one capture, time-ordered, one pcapng interface each.
#[test]
fn two_dongles_merge_into_one_capture() {
    let mut a = air(8);
    a.frames
        .iter_mut()
        .for_each(|f| (f.channel, f.bad_fcs) = (None, false));
    let e1 = Emulator::start(SerialFirmware::Nrf802154, a.clone(), fast()).unwrap();
    let e2 = Emulator::start(SerialFirmware::Spinel, a, fast()).unwrap();
    let i1 = format!("nrf802154:{}", e1.path().display());
    let i2 = format!("spinel:{}", e2.path().display());
    let w = support::temp_path("two.pcapng");
    let (code, err) = spawn(&[
        "-i",
        &i1,
        "-i",
        &i2,
        "--channel",
        "15",
        "-c",
        "16",
        "-w",
        &w.0.to_string_lossy(),
    ])
    .finish();
    assert_eq!(code, 0, "{err}");
    let out = support::run(
        &[
            "-T",
            "fields",
            "-e",
            "frame.interface_id",
            "-e",
            "frame.interface_name",
            "-e",
            "frame.time_epoch",
        ],
        &w.0,
    );
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 16);
    let names: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(names.len(), 2, "{rows:?}");
    let times: Vec<f64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "time order: {times:?}"
    );
}

/// The survey hops channels and tabulates what it heard.
#[test]
fn survey_table() {
    let mut a = air(64);
    // A beacon from coordinator 0x0000 of PAN 0x1234 on channel 20.
    a.frames.push(AirFrame {
        mpdu: vec![
            0x00, 0x80, 1, 0x34, 0x12, 0x00, 0x00, 0xff, 0xcf, 0x00, 0x00,
        ],
        channel: Some(20),
        rssi: -20,
        lqi: 255,
        bad_fcs: false,
    });
    let opts = Options {
        pace: Duration::from_millis(5),
        repeat: true,
        ..Options::default()
    };
    let emu = Emulator::start(SerialFirmware::Nrf802154, a, opts).unwrap();
    let iface = format!("nrf802154:{}", emu.path().display());
    let cap = spawn(&["-i", &iface, "--survey", "700"]);
    let lines = cap.take(17);
    assert!(
        lines[0].contains("Channel") && lines[0].contains("PAN IDs"),
        "{lines:?}"
    );
    let row = |ch: &str| {
        lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(ch))
            .unwrap()
            .clone()
    };
    assert!(row("15").contains("0xabcd"), "{lines:?}");
    assert!(
        row("20").contains("0xabcd") && row("20").contains("0x1234"),
        "{lines:?}"
    );
    assert!(
        row("20").contains("0x0000"),
        "the beacon's coordinator: {lines:?}"
    );
    assert!(
        row("11").split_whitespace().nth(1) == Some("0"),
        "{lines:?}"
    );
    let (code, _) = cap.finish();
    assert_eq!(code, 0);
}

/// The CC2531 through its fake USB device (the binary cannot reach an in-process fake, so the
/// library's supervisor is driven directly, as `-i cc2531` drives it): setup by control
/// requests, records split across bulk reads, the 32-bit tick wrap, CRC verdicts, written with
/// the library's writer and read back by lowshark and tshark; then unplug and replug.
#[test]
fn cc2531_through_the_fake_device() {
    use lowshark::capture::dongle::{cc2531::Cc2531Connector, supervisor};
    use lowshark::capture::emulate::cc2531::FakeBus;
    use lowshark::capture::source::{Channel, LiveOptions};
    use lowshark::capture::status::LiveStatus;
    use lowshark::capture::{SaveFile, SaveFormat};

    let a = air(24);
    let bus = FakeBus::new(a.clone(), Duration::from_millis(10));
    let connector = Cc2531Connector {
        bus: Box::new(bus.clone()),
        at: None,
    };
    let opts = LiveOptions {
        channel: Some(Channel::oqpsk(15)),
        ..Default::default()
    };
    let status = LiveStatus::new();
    let frames = supervisor::spawn(Box::new(connector), &opts, status.clone(), 0).expect("set up");
    let w = support::temp_path("cc2531.pcapng");
    let mut save = SaveFile::create(&w.0, SaveFormat::PcapNg, 283, 262_144).unwrap();
    let expected = a.frames.iter().filter(|f| f.channel == Some(15)).count();
    let mut frames = frames;
    for (i, f) in frames.by_ref().take(expected).enumerate() {
        let mut f = f.unwrap();
        f.meta.number = i as u64 + 1;
        save.write(&f).unwrap();
        save.flush().unwrap();
    }
    // Unplug after everything sent was read; the capture goes on after the replug.
    // The supervisor's last message says `text` within 30 s.
    let wait_message = |text: &str| {
        let end = Instant::now() + Duration::from_secs(30);
        while !status.last_message().is_some_and(|m| m.contains(text)) {
            assert!(Instant::now() < end, "no '{text}' message");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    bus.unplug();
    wait_message("device gone");
    bus.replug();
    wait_message("device back");
    save.finish().unwrap();
    let delivered = bus.delivered();
    let want: Vec<String> = delivered[..expected]
        .iter()
        .map(|d| {
            let f = a.frames.iter().find(|f| f.mpdu == d.mpdu).unwrap();
            // RSSI went through the raw register value and its 73 dB offset; LQI is the 7-bit
            // correlation value.
            format!(
                "{}\t15\t{}\t{}\t{}",
                f.mpdu[2],
                f.rssi,
                f.lqi & 0x7f,
                if d.bad_fcs { 0 } else { 1 }
            )
        })
        .collect();
    read_back(&w.0, &want, "cc2531");
    assert!(want.iter().any(|l| l.ends_with("\t0")));
}
