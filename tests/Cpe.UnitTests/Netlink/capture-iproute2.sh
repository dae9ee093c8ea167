#!/usr/bin/env bash
# Captures the exact netlink requests iproute2 sends for the operations our encoder implements,
# as test data (iproute2/*.hex). Run once, as root, when an operation is added:
#   tests/Cpe.UnitTests/Netlink/capture-iproute2.sh
# Each file: "# command", "# ifindex NAME=N ..." (before the command ran) and the request bytes as hex.
# Only the last RTM_NEW*/RTM_DEL* request of each command is kept (ip resolves names first).
set -euo pipefail
cd "$(dirname "$0")/iproute2"
ns=cpecap$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
run() { ip netns exec "$ns" "$@"; }

capture() {
  local name=$1; shift
  local trace; trace=$(mktemp)
  # The ifindexes the command saw: before it ran (a deleted link is still there).
  local before; before=$(run ip -j link show | python3 -c 'import json,sys; print(" ".join("%s=%d" % (l["ifname"], l["ifindex"]) for l in json.load(sys.stdin)))')
  run strace -f -e trace=sendmsg -e write=all -o "$trace" "$@" || true
  {
    echo "# $*"
    echo "# ifindex $before"
    # Hex dump lines look like: " | 00000  3c 00 00 00 10 00 05 06  ...  <ascii> |"
    awk '/sendmsg\(/ { if (msg != "") print msg; msg = ""; next }
         /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { line = substr($0, 11, 48); gsub(/ /, "", line); msg = msg line }
         END { if (msg != "") print msg }' "$trace" | grep -E '^.{8}(1000|1100|1300|1400|1500|1800|1900|1c00|1d00)' | tail -n 1
  } >"$name.hex"
  rm -f "$trace"
}

capture link-add-bridge ip link add cpetbr0 type bridge
capture link-add-veth ip link add cpetv0 type veth peer name cpetv1
capture link-add-macvlan ip link add cpetmv0 link cpetv0 type macvlan mode bridge
capture link-set-up ip link set cpetv0 up
capture link-set-down ip link set cpetv0 down
capture link-set-mtu ip link set cpetv0 mtu 1400
capture link-set-address ip link set cpetv0 address 02:00:00:00:00:01
capture link-set-master ip link set cpetv0 master cpetbr0
capture link-set-nomaster ip link set cpetv0 nomaster
capture link-set-alias ip link set cpetv0 alias cpe:ge-0/0/1
capture link-del ip link del cpetmv0
run ip link set cpetbr0 up
capture addr-add-v4 ip addr add 192.0.2.1/24 dev cpetbr0
capture addr-add-v6 ip addr add 2001:db8::1/64 dev cpetbr0
capture route-add-v4 ip route add 198.51.100.0/24 via 192.0.2.254
capture route-add-v6 ip route add 2001:db8:1::/48 via 2001:db8::fe
capture route-del-v4 ip route del 198.51.100.0/24 via 192.0.2.254
capture addr-del-v4 ip addr del 192.0.2.1/24 dev cpetbr0
run ip link set cpetv0 master cpetbr0
capture fdb-add bridge fdb add 02:00:00:00:00:aa dev cpetv0 master static
capture fdb-del bridge fdb del 02:00:00:00:00:aa dev cpetv0 master static
capture bridge-port-flags bridge link set dev cpetv0 learning off flood off
# This machine's kernel has no SR-IOV: a veth refuses VF settings, the request bytes are still iproute2's.
capture vf-mac ip link set cpetv0 vf 0 mac 02:00:00:00:01:00
capture vf-vlan ip link set cpetv0 vf 1 vlan 100 qos 2
capture vf-spoofchk ip link set cpetv0 vf 2 spoofchk off
capture vf-trust ip link set cpetv0 vf 3 trust on
capture vf-rate ip link set cpetv0 vf 0 min_tx_rate 10 max_tx_rate 100
capture vf-state ip link set cpetv0 vf 1 state disable
# This machine's kernel has no VLAN filtering: the kernel refuses these, the bytes are still what iproute2 sends.
capture bridge-vlan-filtering ip link set cpetbr0 type bridge vlan_filtering 1
capture bridge-vlan-add bridge vlan add dev cpetv0 vid 10 pvid untagged
capture bridge-vlan-del bridge vlan del dev cpetv0 vid 10
