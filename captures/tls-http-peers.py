#!/usr/bin/env python3
"""Captures real TLS, DTLS, MQTT-over-TLS and HTTP/1.1 peers talking over loopback.

Writes tls-http-peers.pcap next to this script. Unlike generate.py this is not byte-for-byte
reproducible (the peers pick their own randoms, keys and ports); it records what real
implementations send, for the differential test against tshark.

What it runs (all on 127.0.0.1, captured with tcpdump on lo):
  * a throw-away CA and an EC P-256 server certificate for gateway.example with SANs
    (DNS gateway.example, DNS mqtt.gateway.example, IP 127.0.0.1), made with openssl;
  * TLS 1.2 and TLS 1.3 handshakes on 443: openssl s_client (SNI, ALPN http/1.1) to
    openssl s_server, a line of application data each way, close_notify;
  * MQTT over TLS on 8883: mosquitto with a TLS listener, mosquitto_pub;
  * DTLS 1.2 on 5684 (CoAP over DTLS's port): openssl s_server -dtls / s_client -dtls;
  * HTTP/1.1 on 8080: a small Python server answering curl with a Content-Length JSON body,
    a chunked text body, an XML body, and a POST with a JSON body.

Needs: openssl, tcpdump, mosquitto, mosquitto_pub, curl (Debian packages of those names).
Run as root (tcpdump on lo, port 443):  python3 captures/tls-http-peers.py
"""

import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tls-http-peers.pcap")


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def make_certs(d):
    """A CA and a server certificate signed by it, both EC P-256."""
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{d}/ca.key")
    run("openssl", "req", "-x509", "-new", "-key", f"{d}/ca.key", "-days", "3650",
        "-subj", "/C=DE/O=lowshark test/CN=lowshark test CA", "-out", f"{d}/ca.pem")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f"{d}/srv.key")
    run("openssl", "req", "-new", "-key", f"{d}/srv.key",
        "-subj", "/C=DE/O=lowshark test/CN=gateway.example", "-out", f"{d}/srv.csr")
    with open(f"{d}/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:gateway.example,DNS:mqtt.gateway.example,IP:127.0.0.1\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", f"{d}/srv.csr", "-CA", f"{d}/ca.pem",
        "-CAkey", f"{d}/ca.key", "-CAcreateserial", "-days", "3650",
        "-extfile", f"{d}/ext.cnf", "-out", f"{d}/srv.pem")


def exchange(server_args, client_args, request, response):
    """Starts an openssl s_server, connects an s_client, sends `request` one way and
    `response` the other, then closes the client's input (it sends close_notify and leaves)
    and stops the server."""
    srv = subprocess.Popen(["openssl", "s_server", *server_args], stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cli = None
    try:
        time.sleep(0.5)
        cli = subprocess.Popen(["openssl", "s_client", *client_args], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.7)
        cli.stdin.write(request)
        cli.stdin.flush()
        time.sleep(0.3)
        if response:
            srv.stdin.write(response)
            srv.stdin.flush()
            time.sleep(0.3)
        cli.stdin.close()
        cli.wait(timeout=3)
        time.sleep(0.2)
    finally:
        for p in (cli, srv):
            if p and p.poll() is None:
                p.kill()
                p.wait()


def tls_session(d, version):
    """One TLS exchange on port 443 with SNI and ALPN."""
    exchange(
        ["-accept", "443", "-cert", f"{d}/srv.pem", "-key", f"{d}/srv.key", "-alpn",
         "http/1.1", f"-{version}", "-quiet"],
        ["-connect", "127.0.0.1:443", "-servername", "gateway.example", "-alpn", "http/1.1",
         f"-{version}", "-CAfile", f"{d}/ca.pem", "-brief"],
        b"GET /status HTTP/1.1\r\nHost: gateway.example\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n")


def mqtt_over_tls(d):
    with open(f"{d}/mosquitto.conf", "w") as f:
        # As root the broker would switch to the mosquitto user, which cannot read the keys in
        # the private temporary directory.
        f.write(f"user root\nlistener 8883 127.0.0.1\ncafile {d}/ca.pem\n"
                f"certfile {d}/srv.pem\nkeyfile {d}/srv.key\nallow_anonymous true\n")
    broker = subprocess.Popen(["mosquitto", "-c", f"{d}/mosquitto.conf"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.7)
        run("mosquitto_pub", "-h", "127.0.0.1", "-p", "8883", "--cafile", f"{d}/ca.pem",
            "-t", "sensors/0005/temp", "-m", '{"temp_c":22.5}', "-q", "1")
        time.sleep(0.3)
    finally:
        broker.terminate()
        broker.wait()


def dtls_session(d):
    """DTLS 1.2 on CoAP's secure port, one application record (a CoAP GET header)."""
    exchange(
        ["-dtls1_2", "-accept", "5684", "-cert", f"{d}/srv.pem", "-key", f"{d}/srv.key",
         "-quiet"],
        ["-dtls1_2", "-connect", "127.0.0.1:5684", "-CAfile", f"{d}/ca.pem", "-brief"],
        b"\x40\x01\x12\x34",
        b"")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, ctype, body, chunked=False):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:10], body[10:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/data.json":
            self.send_body("application/json", b'{"motes":8,"dodag":"fd00::1","up":true}')
        elif self.path == "/log.txt":
            self.send_body("text/plain; charset=utf-8", b"boot ok\nrpl joined\ncoap up\n", True)
        else:
            self.send_body("application/xml",
                           b"<?xml version='1.0'?><gw><mote id='5'>22.5</mote></gw>")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.rfile.read(n)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def http_session():
    srv = http.server.HTTPServer(("127.0.0.1", 8080), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    base = "http://127.0.0.1:8080"
    run("curl", "-s", "-o", "/dev/null", f"{base}/data.json", f"{base}/log.txt",
        f"{base}/status.xml")
    run("curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json",
        "-d", '{"cmd":"reboot","delay_s":5}', f"{base}/api/commands")
    srv.shutdown()


def main():
    for tool in ("openssl", "tcpdump", "mosquitto", "mosquitto_pub", "curl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed")
    with tempfile.TemporaryDirectory() as d:
        make_certs(d)
        cap = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-U", "-w", OUT, "tcp port 443 or tcp port 8883 or "
             "udp port 5684 or tcp port 8080"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            tls_session(d, "tls1_2")
            tls_session(d, "tls1_3")
            mqtt_over_tls(d)
            dtls_session(d)
            http_session()
            time.sleep(1.0)
        finally:
            cap.terminate()
            cap.wait()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
