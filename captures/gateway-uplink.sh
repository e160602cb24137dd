#!/usr/bin/env bash
# Makes captures/gateway-uplink.pcap: what a border router's Ethernet uplink carries besides
# its application traffic, produced by real software talking over a veth pair between two
# network namespaces, and captured with tcpdump on the gateway's side.
#
#   lsgw  (the gateway)  veth-gw  00:00:5e:00:53:01  address from DHCP / DHCPv6
#   lssrv (the uplink)   veth-srv 00:00:5e:00:53:0a  192.0.2.10/24, 2001:db8::10/64
#
# In lssrv: dnsmasq (DHCPv4 server, DHCPv6 server with router advertisements, DNS server with
# local records of every type a gateway meets), chronyd (NTP server), a python-zeroconf mDNS
# responder. In lssrv's peer lsgw: dhclient (DHCPv4, DHCPv6 stateful and stateless), dig,
# arping, chronyd as a one-shot NTP client and a python-zeroconf browser.
#
# Needs root and: dnsmasq-base isc-dhcp-client chrony iputils-arping bind9-dnsutils tcpdump
# (Debian) and `python3 -m pip install zeroconf`. Addresses are from the documentation ranges
# (RFC 5737, RFC 3849, RFC 7042), names under home.arpa (RFC 8375). The traffic never leaves
# the two namespaces. Times and random fields (transaction IDs, ports) differ from run to run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/gateway-uplink.pcap"
work="$(mktemp -d)"
GW="ip netns exec lsgw"
SRV="ip netns exec lssrv"

cleanup() {
    set +e
    for pidfile in "$work"/*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    sleep 0.5
    ip netns del lsgw 2>/dev/null
    ip netns del lssrv 2>/dev/null
    [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/gw-debug
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add lsgw
ip netns add lssrv
ip link add veth-gw netns lsgw type veth peer name veth-srv netns lssrv
$GW ip link set veth-gw address 00:00:5e:00:53:01
$SRV ip link set veth-srv address 00:00:5e:00:53:0a
for ns in lsgw lssrv; do ip -n $ns link set lo up; done
$SRV ip addr add 192.0.2.10/24 dev veth-srv
$SRV ip -6 addr add 2001:db8::10/64 dev veth-srv nodad
$SRV ip link set veth-srv up
$GW ip link set veth-gw up
# Multicast (mDNS) needs a route on both sides.
$SRV ip route add 224.0.0.0/4 dev veth-srv
$GW ip route add 224.0.0.0/4 dev veth-gw

# ---- capture --------------------------------------------------------------------------------
$GW tcpdump -i veth-gw -U -s 0 -w "$work/raw.pcap" 2>"$work/tcpdump.log" &
echo $! >"$work/tcpdump.pid"
# Until both link-local addresses are past duplicate address detection: dnsmasq's DHCPv6
# socket cannot join ff02::1:2 on a tentative address.
sleep 4

# ---- servers in lssrv ---------------------------------------------------------------------
cat >"$work/dnsmasq.conf" <<'EOF'
interface=veth-srv
bind-interfaces
no-resolv
no-hosts
domain=home.arpa
dhcp-authoritative
dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h
dhcp-range=2001:db8::100,2001:db8::1ff,64,1h
enable-ra
dhcp-option=option:router,192.0.2.10
dhcp-option=option:dns-server,192.0.2.10
dhcp-option=option:ntp-server,192.0.2.10
dhcp-option=option:domain-search,home.arpa
dhcp-option=option6:dns-server,[2001:db8::10]
dhcp-option=option6:ntp-server,[2001:db8::10]
dhcp-option=option6:domain-search,home.arpa
# Authoritative for home.arpa (SOA, NS) within normal DNS service: an auth-server
# interface would stop DHCPv6 on it.
auth-server=ns.home.arpa
auth-zone=home.arpa
auth-soa=2026011501,hostmaster.home.arpa
host-record=broker.home.arpa,192.0.2.20,2001:db8::20
host-record=ns.home.arpa,192.0.2.10
cname=mqtt.home.arpa,broker.home.arpa
mx-host=home.arpa,mail.home.arpa,10
host-record=mail.home.arpa,192.0.2.25
txt-record=home.arpa,"v=spf1 mx -all","site=lab"
srv-host=_mqtt._tcp.home.arpa,broker.home.arpa,1883,0,10
srv-host=_coap._udp.home.arpa,broker.home.arpa,5683,1,5
caa-record=home.arpa,0,issue,ca.example.net
# HTTPS (65): priority 1, target ".", alpn=h2,h3, ipv4hint=192.0.2.20
dns-rr=broker.home.arpa,65,0001000001000602683202683300040004c0000214
# SVCB (64): priority 16, target svc.home.arpa, port=5684
dns-rr=_coap.broker.home.arpa,64,00100373766304686f6d65046172706100000300021634
EOF
$SRV dnsmasq --conf-file="$work/dnsmasq.conf" --pid-file="$work/dnsmasq.pid" \
    --dhcp-leasefile="$work/dnsmasq.leases" --log-facility="$work/dnsmasq.log" --log-dhcp

cat >"$work/chrony-server.conf" <<EOF
local stratum 8
allow 192.0.2.0/24
allow 2001:db8::/64
driftfile $work/chrony-server.drift
pidfile $work/chronyd.pid
cmdport 0
EOF
$SRV chronyd -f "$work/chrony-server.conf" -x

# ---- the gateway's side -------------------------------------------------------------------
# dhclient configures the address it gets (its own script would rewrite /etc/resolv.conf).
cat >"$work/dhclient-script" <<'EOF'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/24" dev "$interface" ;;
BOUND6|RENEW6|REBIND6) ip -6 addr replace "$new_ip6_address/64" dev "$interface" nodad ;;
esac
exit 0
EOF
chmod +x "$work/dhclient-script"
cat >"$work/dhclient.conf" <<'EOF'
send host-name "lowpan-br-01";
send vendor-class-identifier "lowshark-gateway";
request subnet-mask, broadcast-address, time-offset, routers, domain-name,
        domain-name-servers, domain-search, host-name, ntp-servers, interface-mtu,
        dhcp6.name-servers, dhcp6.domain-search, dhcp6.sntp-servers;
EOF
DHC="dhclient -cf $work/dhclient.conf -sf $work/dhclient-script"

sleep 3 # router advertisements, DAD, MLD
# A reboot with a stale lease: REQUEST for an address not on this network, NAK, then the
# full DISCOVER/OFFER/REQUEST/ACK exchange.
cat >"$work/dhclient.leases" <<'EOF'
lease {
  interface "veth-gw";
  fixed-address 198.51.100.7;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 198.51.100.1;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
EOF
$GW $DHC -4 -1 -lf "$work/dhclient.leases" -pf "$work/dhclient4.pid" veth-gw
$GW arping -c 2 -I veth-gw 192.0.2.10 >/dev/null || true
$GW arping -c 1 -U -I veth-gw "$($GW ip -4 -o addr show veth-gw | awk '{print $4}' | cut -d/ -f1)" >/dev/null || true

# DHCPv6: stateful (Solicit/Advertise/Request/Reply) and stateless (Information-request).
$GW $DHC -6 -1 -lf "$work/dhclient6.leases" -pf "$work/dhclient6.pid" veth-gw
$GW $DHC -6 -S -1 -lf "$work/dhclient6-s.leases" -pf "$work/dhclient6s.pid" veth-gw || true

# DNS over UDP and TCP, IPv4 and IPv6, with and without EDNS0.
for q in "A broker.home.arpa" "AAAA broker.home.arpa" "A mqtt.home.arpa" "MX home.arpa" \
         "TXT home.arpa" "SRV _mqtt._tcp.home.arpa" "SRV _coap._udp.home.arpa" \
         "SOA home.arpa" "NS home.arpa" "CAA home.arpa" "HTTPS broker.home.arpa" \
         "SVCB _coap.broker.home.arpa" "PTR 20.2.0.192.in-addr.arpa" "A nosuch.home.arpa"; do
    $GW dig +tries=1 +time=2 @192.0.2.10 $q >/dev/null || true
done
$GW dig +tries=1 +time=2 +noedns @192.0.2.10 A ns.home.arpa >/dev/null || true
$GW dig +tries=1 +time=2 +dnssec @192.0.2.10 A broker.home.arpa >/dev/null || true
$GW dig +tries=1 +time=2 +tcp @192.0.2.10 SRV _mqtt._tcp.home.arpa >/dev/null || true
$GW dig +tries=1 +time=2 @2001:db8::10 AAAA broker.home.arpa >/dev/null || true
$GW dig +tries=1 +time=2 -x 2001:db8::20 @2001:db8::10 >/dev/null || true

# NTP: chronyd as a one-shot client over IPv4 and IPv6.
cat >"$work/chrony-client.conf" <<EOF
server 192.0.2.10 iburst maxsamples 4
pidfile $work/chronyd-client.pid
cmdport 0
EOF
$GW timeout 20 chronyd -f "$work/chrony-client.conf" -x -q >/dev/null 2>&1 || true
sed -i 's/192.0.2.10/2001:db8::10/' "$work/chrony-client.conf"
$GW timeout 20 chronyd -f "$work/chrony-client.conf" -x -q >/dev/null 2>&1 || true

# mDNS: the responder: a CoAP and an MQTT service of the gateway's uplink peer.
cat >"$work/mdns_responder.py" <<'EOF'
import socket, sys, time
from zeroconf import IPVersion, ServiceInfo, Zeroconf
zc = Zeroconf(interfaces=["192.0.2.10"], ip_version=IPVersion.V4Only)
for kind, port, props in [("_coap._udp.local.", 5683, {"rt": "core.rd", "if": "core.b"}),
                          ("_mqtt._tcp.local.", 1883, {"ver": "5.0"})]:
    zc.register_service(ServiceInfo(kind, "uplink-peer." + kind, port=port, properties=props,
                                    server="uplink-peer.local.",
                                    addresses=[socket.inet_aton("192.0.2.10")]))
sys.stdout.write("ready\n"); sys.stdout.flush()
time.sleep(float(sys.argv[1]))
zc.unregister_all_services()
zc.close()
EOF
$SRV python3 "$work/mdns_responder.py" 8 >"$work/mdns.log" 2>&1 &
echo $! >"$work/mdns.pid"
sleep 5 # probing and announcing both services

# The gateway resolves the CoAP service (SRV, TXT, A questions).
cat >"$work/mdns_browser.py" <<'EOF'
from zeroconf import IPVersion, Zeroconf
zc = Zeroconf(interfaces=[__import__("sys").argv[1]], ip_version=IPVersion.V4Only)
info = zc.get_service_info("_coap._udp.local.", "uplink-peer._coap._udp.local.", timeout=3000)
print(info)
zc.close()
EOF
gwaddr="$($GW ip -4 -o addr show veth-gw | awk '{print $4}' | cut -d/ -f1)"
$GW python3 "$work/mdns_browser.py" "$gwaddr" >"$work/browser.log" 2>&1 || true
wait "$(cat "$work/mdns.pid")" || true

# Release both leases.
$GW $DHC -4 -r -lf "$work/dhclient.leases" -pf "$work/dhclient4.pid" veth-gw || true
$GW $DHC -6 -r -lf "$work/dhclient6.leases" -pf "$work/dhclient6.pid" veth-gw || true
sleep 1

kill "$(cat "$work/tcpdump.pid")"
wait "$(cat "$work/tcpdump.pid")" 2>/dev/null || true
rm -f "$work/tcpdump.pid"
cp "$work/raw.pcap" "$out"
echo "wrote $out: $(tcpdump -r "$out" 2>/dev/null | wc -l) frames"
