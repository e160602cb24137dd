//! Real SCADA peers over loopback, captured with dumpcap and decoded by both tshark and
//! lowshark, whose field values must agree: a Modbus/TCP client and server from Debian's
//! `python3-pymodbus` on port 502, and an IEC 60870-5-104 client and server from `c104` (PyPI)
//! on port 2404. Skips with a printed reason when a peer, dumpcap, tshark or the port is
//! unavailable.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const MODBUS_PEERS: &str = r#"
import sys, threading, time
from pymodbus.server import StartTcpServer
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest
port = int(sys.argv[1])
store = ModbusSlaveContext(di=ModbusSequentialDataBlock(0, [1, 0, 1] * 10),
                           co=ModbusSequentialDataBlock(0, [0] * 30),
                           hr=ModbusSequentialDataBlock(0, list(range(30))),
                           ir=ModbusSequentialDataBlock(0, [7] * 30))
ident = ModbusDeviceIdentification()
ident.VendorName = "lowshark"; ident.ProductCode = "LS"; ident.MajorMinorRevision = "1.0"
ctx = ModbusServerContext(slaves=store, single=True)
threading.Thread(target=lambda: StartTcpServer(context=ctx, identity=ident,
                 address=("127.0.0.1", port)), daemon=True).start()
time.sleep(1.5)
c = ModbusTcpClient("127.0.0.1", port=port); c.connect()
c.read_coils(1, 10); c.read_discrete_inputs(0, 8); c.read_holding_registers(3, 4)
c.read_input_registers(0, 2); c.write_coil(2, True); c.write_register(5, 1234)
c.write_coils(0, [True, False, True]); c.write_registers(10, [1, 2, 3])
c.read_holding_registers(200, 2)
c.execute(ReadDeviceInformationRequest(read_code=1, object_id=0))
c.close(); time.sleep(0.3); print("ok")
"#;

const IEC104_PEERS: &str = r#"
import sys, time, c104
port = int(sys.argv[1])
server = c104.Server(ip="127.0.0.1", port=port)
station = server.add_station(common_address=47)
station.add_point(io_address=11, type=c104.Type.M_SP_NA_1)
me = station.add_point(io_address=12, type=c104.Type.M_ME_TF_1); me.value = 1.5
station.add_point(io_address=20, type=c104.Type.C_SC_NA_1)
server.start()
client = c104.Client()
conn = client.add_connection(ip="127.0.0.1", port=port, init=c104.Init.ALL)
cst = conn.add_station(common_address=47)
cmd = cst.add_point(io_address=20, type=c104.Type.C_SC_NA_1)
client.start()
t0 = time.time()
while conn.state != c104.ConnectionState.OPEN and time.time() - t0 < 5:
    time.sleep(0.1)
time.sleep(1)
conn.interrogation(common_address=47)
cmd.value = True
cmd.transmit(cause=c104.Cot.ACTIVATION)
time.sleep(1)
client.stop(); server.stop(); print("ok")
"#;

/// A Python that imports `module` (Debian's and PyPI's may live in different interpreters).
fn python_with(module: &str) -> Option<String> {
    let found = ["python3", "/usr/bin/python3"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        eprintln!("skipping: no python3 with {module} (see .ci/run)");
    }
    found.map(str::to_string)
}

/// Runs `script` with `port` while dumpcap records that port on `lo`; the capture's path.
fn capture(tag: &str, module: &str, script: &str, port: u16) -> Option<PathBuf> {
    let py = python_with(module)?;
    let Some(dumpcap) = support::find_tool("dumpcap") else {
        eprintln!("skipping: dumpcap is not installed");
        return None;
    };
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        eprintln!("skipping: port {port} is not free (or not allowed)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("lowshark-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let pcap = dir.join("capture.pcapng");
    let cap = support::LoopbackCapture::start(&dumpcap, port, &pcap)?;
    let ok = Command::new(&py)
        .args(["-c", script, &port.to_string()])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("ok"));
    cap.stop();
    assert!(ok, "{tag}: the peers failed");
    if std::fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0) < 200 {
        eprintln!("skipping: nothing was captured on lo (no capture permission?)");
        return None;
    }
    Some(pcap)
}

fn flatten(v: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                match val {
                    Value::String(s) if !k.ends_with("_raw") => {
                        out.entry(k.clone()).or_default().push(s.clone())
                    }
                    Value::Array(a) => a.iter().for_each(|x| match x {
                        Value::String(s) => out.entry(k.clone()).or_default().push(s.clone()),
                        other => flatten(other, out),
                    }),
                    other => flatten(other, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        _ => {}
    }
}

fn packets(cmd: &mut Command) -> Vec<BTreeMap<String, Vec<String>>> {
    let out = cmd.output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    let mut m = BTreeMap::new();
                    flatten(&p["_source"]["layers"], &mut m);
                    m
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compares every `prefixes` field both tools emit; returns how many values matched.
fn compare(pcap: &std::path::Path, prefixes: &[&str]) -> usize {
    let path = pcap.display().to_string();
    let theirs = packets(
        Command::new("tshark")
            .env("TZ", "UTC")
            .args(["-r", &path, "-T", "json"]),
    );
    let ours =
        packets(Command::new(env!("CARGO_BIN_EXE_lowshark")).args(["-r", &path, "-T", "json"]));
    assert_eq!(theirs.len(), ours.len(), "frame count");
    let mut values = 0;
    let mut diffs = vec![];
    for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
        for (field, ovals) in o {
            if !prefixes.iter().any(|p| field.starts_with(p)) {
                continue;
            }
            let Some(tvals) = t.get(field) else { continue };
            values += ovals.len();
            if tvals != ovals {
                diffs.push(format!(
                    "frame {}: {field}: tshark {tvals:?}, lowshark {ovals:?}",
                    i + 1
                ));
            }
        }
        let proto = |m: &BTreeMap<String, Vec<String>>| m.get("frame.protocols").cloned();
        if proto(t) != proto(o) {
            diffs.push(format!(
                "frame {}: frame.protocols {:?} vs {:?}",
                i + 1,
                proto(t),
                proto(o)
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    values
}

#[test]
fn pymodbus_client_and_server() {
    if !support::have_tshark() {
        return;
    }
    let Some(pcap) = capture("modbus", "pymodbus", MODBUS_PEERS, 502) else {
        return;
    };
    let n = compare(&pcap, &["mbtcp.", "modbus."]);
    eprintln!("compared {n} Modbus field values with tshark");
    assert!(n > 100, "too little compared: {n}");
}

#[test]
fn c104_client_and_server() {
    if !support::have_tshark() {
        return;
    }
    let Some(pcap) = capture("iec104", "c104", IEC104_PEERS, 2404) else {
        return;
    };
    let n = compare(&pcap, &["iec60870_104.", "iec60870_asdu."]);
    eprintln!("compared {n} IEC 104 field values with tshark");
    assert!(n > 30, "too little compared: {n}");
}
