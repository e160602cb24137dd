"""Reads a capture with pyshark through tshark and through lowshark (its tshark_path) in PDML and
JSON modes and prints, as JSON, per mode: the packets compared, the layers and field values
that differ (fields both tools give, compared by name), and what pyshark found in each.

Usage: pyshark_compare.py LOWSHARK CAPTURE [-o PREF...]
"""
import json
import shutil
import sys

import pyshark


def layers(path, tshark, use_json):
    cap = pyshark.FileCapture(
        path, tshark_path=tshark, use_json=use_json, keep_packets=False,
        custom_parameters=sys.argv[3:] or None)
    out = []
    try:
        for pkt in cap:
            pl = []
            for layer in pkt.layers:
                fields = {}
                for name in layer.field_names:
                    try:
                        fields[name] = str(layer.get_field(name))
                    except Exception:  # pyshark's own accessors can fail on odd fields
                        pass
                pl.append((layer.layer_name, fields))
            out.append(pl)
    finally:
        cap.close()
    return out


def layers_retrying(path, tshark, use_json):
    """layers(), tried up to three times when pyshark reports the tool "crashed": pyshark
    calls any exit code above 0 at the end of a run a crash, and tshark itself (the
    reference) has been seen exiting so once in a loaded CI run, with nothing on stderr but
    its "Running as user root" line. Any other failure, or three in a row, is reported."""
    for attempt in range(3):
        try:
            return layers(path, tshark, use_json)
        except pyshark.capture.capture.TSharkCrashException:
            if attempt == 2:
                raise


def compare(path, lowshark, use_json):
    theirs = layers_retrying(path, shutil.which("tshark"), use_json)
    ours = layers_retrying(path, lowshark, use_json)
    diffs, values = [], 0
    for i, (t, o) in enumerate(zip(theirs, ours)):
        tnames = [n for n, _ in t]
        onames = [n for n, _ in o]
        common = [n for n in onames if n in tnames]
        if [n for n in tnames if n in onames] != common:
            diffs.append(f"frame {i + 1}: layers tshark {tnames}, lowshark {onames}")
        # Layers are paired by name and occurrence (two MQTT messages in one segment).
        tl = {}
        for n, f in t:
            tl.setdefault(n, []).append(f)
        seen = {}
        for name, fields in o:
            k_th = seen.get(name, 0)
            seen[name] = k_th + 1
            if len(tl.get(name, [])) <= k_th:
                continue
            theirs_layer = tl[name][k_th]
            for k, v in fields.items():
                if k in theirs_layer:
                    values += 1
                    if theirs_layer[k] != v:
                        diffs.append(f"frame {i + 1}: {name}.{k}: tshark {theirs_layer[k]!r}, "
                                     f"lowshark {v!r}")
    return {
        "packets_tshark": len(theirs),
        "packets_lowshark": len(ours),
        "values": values,
        "layers_lowshark": sorted({n for p in ours for n, _ in p}),
        "differences": diffs,
    }


def main():
    lowshark, path = sys.argv[1], sys.argv[2]
    print(json.dumps({
        "pdml": compare(path, lowshark, False),
        "json": compare(path, lowshark, True),
    }))


if __name__ == "__main__":
    main()
