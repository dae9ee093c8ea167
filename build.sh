#!/usr/bin/env bash
# One entry point for a fresh machine: ./build.sh [setup|build|test|demo|image|bench]
# Every subcommand runs setup first, so nothing else needs installing by hand.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
OUT=$ROOT/out
BIN=$OUT/bin
DEVICE_PROJECTS=(platform/cped platform/cpe phonehome/cpe-phonehome vnf-runtime/cpe-runtime image/cpe-verity)
APT_PACKAGES=(clang gcc libc6-dev zlib1g-dev util-linux procps sqlite3 iproute2 strace iputils-ping postgresql
  linux-image-amd64 busybox-static cpio kmod dnsmasq-base openssl libyang2-tools curl python3-zeroconf umoci skopeo zstd libzstd1 runc crun ethtool netsniff-ng debootstrap
  ovmf systemd-boot-efi gdisk mtools dosfstools squashfs-tools e2fsprogs cryptsetup-bin tzdata)
LAB_AGENT=tests/Cpe.LabAgent

usage() {
  cat <<'USAGE'
usage: ./build.sh [COMMAND]
  setup   install apt packages and restore NuGet packages (idempotent)
  build   NativeAOT publish of every device binary into out/bin/
  test    build, then run every test, and ./build.sh build on a fresh Debian root; ends with "N passed, N failed, N skipped"
  fresh-root  only the fresh-root check: ./build.sh build in a Debian 12 minbase root (tests/fresh-root/check.sh)
  demo    build, then run the platform demo on the simulated board (default)
  image   build, then the firmware images and update bundles (out/image/cpe-firmware-VERSION.img and .cpeu, two versions)
  bench   build, then measure start time, memory and latency, NativeAOT against JIT
USAGE
}

log() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

setup() {
  have dotnet || { echo "build.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing apt packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  setup_kernel_lab
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  dotnet restore CpeFirmware.sln --verbosity quiet
}

# A Debian package only one command needs, installed once: chromium for the fleet UI's browser test (driven by
# Playwright for .NET with its executable path set; no browser download is possible here), HAProxy for the
# fleet-scale bench (TCP pass-through in front of two server instances). The build and the demo need neither.
install_for() {
  local package=$1 why=$2
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' && return 0
  log "installing $package for $why"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$package" >/dev/null
}

# The vendor server's PostgreSQL tests and benchmarks (not the demo, which runs on SQLite): the Debian cluster started, and a role that may create test databases.
# A cluster that is down and whose port another server holds (another cluster, a container, the host of a chroot)
# moves to the first free port from 5433, rather than fail to start.
setup_postgres() {
  have pg_lsclusters || { echo "build.sh: pg_lsclusters missing after installing postgresql" >&2; exit 1; }
  local line ver name port status
  line=$(pg_lsclusters --no-header 2>/dev/null | head -1 || true)
  if [ -z "$line" ]; then log "creating a PostgreSQL cluster"; pg_createcluster 15 main >/dev/null; line=$(pg_lsclusters --no-header | head -1); fi
  read -r ver name port status _ <<<"$line"
  if [ "$status" != online ]; then
    if port_in_use "$port"; then
      local free=5433
      while port_in_use "$free"; do free=$((free + 1)); done
      log "port $port is taken by another server: PostgreSQL $ver/$name moves to $free"
      pg_conftool "$ver" "$name" set port "$free"
      port=$free
    fi
    log "starting PostgreSQL ($ver $name on port $port)"
    pg_ctlcluster "$ver" "$name" start
  fi
  runuser -u postgres -- psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'cpe_test'" | grep -q 1 ||
    runuser -u postgres -- psql -p "$port" -qc "CREATE ROLE cpe_test LOGIN CREATEDB PASSWORD 'cpe_test'" >/dev/null
  export CPE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=cpe_test;Password=cpe_test;Database=postgres"
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# The kernel lab needs QEMU 10 (igb with SR-IOV), which Debian 12 has only in bookworm-backports.
setup_kernel_lab() {
  local version=0
  # A probe must survive the command not being there yet (set -e and pipefail would end the script with 127).
  if have qemu-system-x86_64; then
    version=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p' || true)
  fi
  if [ "${version:-0}" -ge 10 ]; then return; fi
  log "installing QEMU 10 from bookworm-backports for the kernel lab"
  local sources=/etc/apt/sources.list.d/bookworm-backports.sources
  if [ ! -f "$sources" ]; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$sources"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports qemu-system-x86 >/dev/null
}

build() {
  mkdir -p "$BIN"
  local sizes="{" sep=""
  for p in "${DEVICE_PROJECTS[@]}"; do
    local name; name=$(basename "$p")
    log "publishing $name (NativeAOT)"
    local logf="$OUT/publish-$name.log"
    if ! dotnet publish "$p" -c Release -o "$BIN" --nologo -v q >"$logf" 2>&1; then
      cat "$logf"; echo "build.sh: publish of $name failed" >&2; exit 1
    fi
    # Trim and AOT warnings are errors for device binaries: fail on any that slipped through.
    if grep -E ': warning (IL|CS)[0-9]+' "$logf"; then echo "build.sh: $name published with warnings" >&2; exit 1; fi
    local bytes; bytes=$(stat -c %s "$BIN/$name")
    sizes+="$sep\"$name\": $bytes"; sep=", "
    printf '%s: %s bytes\n' "$name" "$bytes"
  done
  printf '%s}\n' "$sizes" >"$BIN/sizes.json"
  rm -f "$BIN"/*.dbg "$BIN"/*.pdb
  for v in vnf-runtime/vnfs/*/; do
    local vnf; vnf=$(basename "$v")
    log "publishing the sample VNF $vnf (NativeAOT)"
    dotnet publish "$v" -c Release -o "$OUT/vnfs/$vnf" --nologo -v q >"$OUT/publish-vnf-$vnf.log" 2>&1 || { cat "$OUT/publish-vnf-$vnf.log"; exit 1; }
    if grep -E ': warning (IL|CS)[0-9]+' "$OUT/publish-vnf-$vnf.log"; then echo "build.sh: $vnf published with warnings" >&2; exit 1; fi
    rm -f "$OUT/vnfs/$vnf"/*.dbg "$OUT/vnfs/$vnf"/*.pdb
  done
  log "publishing the kernel lab's agent (NativeAOT)"
  dotnet publish "$LAB_AGENT" -c Release -o "$OUT/lab" --nologo -v q >"$OUT/publish-lab.log" 2>&1 || { cat "$OUT/publish-lab.log"; exit 1; }
  rm -f "$OUT/lab"/*.dbg "$OUT/lab"/*.pdb
  log "publishing cpe-sim, the simulated board's tool (developer machines only)"
  dotnet publish board/Cpe.SimBoard -c Release -o "$OUT/sim" --nologo -v q >"$OUT/publish-sim.log" 2>&1 || { cat "$OUT/publish-sim.log"; exit 1; }
  log "publishing cpe-vendor and cpe-vendor-server, the vendor's zero-touch tools and bootstrap server"
  dotnet publish phonehome/Cpe.VendorTools -c Release -o "$OUT/vendor" --nologo -v q >"$OUT/publish-vendor.log" 2>&1 || { cat "$OUT/publish-vendor.log"; exit 1; }
  dotnet publish phonehome/Cpe.VendorServer -c Release -o "$OUT/vendor" --nologo -v q >"$OUT/publish-vendor-server.log" 2>&1 || { cat "$OUT/publish-vendor-server.log"; exit 1; }
  log "publishing cpe-vnf, the tool that packs and signs VNF packages"
  dotnet publish vnf-runtime/cpe-vnf -c Release -o "$OUT/vendor" --nologo -v q >"$OUT/publish-vnf.log" 2>&1 || { cat "$OUT/publish-vnf.log"; exit 1; }
  log "publishing cpe-image, the firmware image assembler (build machine only)"
  dotnet publish image/Cpe.ImageBuilder -c Release -o "$OUT/tools" --nologo -v q >"$OUT/publish-image.log" 2>&1 || { cat "$OUT/publish-image.log"; exit 1; }
  package_vnfs
}

# The firmware images (docs/reference/firmware-image.md): version 1.0.0 and 2.0.0 from the same binaries, each a raw
# GPT disk and a signed update bundle, signed by the development vendor CA's firmware signer (made once and kept).
# SOURCE_DATE_EPOCH is the last commit's time: the same tree gives the same image bytes.
FIRMWARE_VERSIONS=(1.0.0 2.0.0)
build_images() {
  local keys=$OUT/keys/vendor
  if [ ! -f "$keys/firmware-signer.pem" ]; then
    "$OUT/vendor/cpe-vendor" firmware signer --ca-dir "$keys" --name "Development build firmware signer" --dir "$keys" >/dev/null
  fi
  local epoch; epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
  for v in "${FIRMWARE_VERSIONS[@]}"; do
    log "assembling firmware image $v"
    "$OUT/tools/cpe-image" build --version "$v" --bin "$BIN" --vnfs "$OUT/vnfs" --boards board/profiles \
      --trust "$keys/vendor-ca.pem" --source image --out "$OUT/image" --epoch "$epoch"
    SOURCE_DATE_EPOCH=$epoch "$OUT/vendor/cpe-vendor" firmware sign --signer-dir "$keys" --image "$OUT/image/cpe-firmware-$v.rootfs.img" \
      --version "$v" --compatible cpe-lab-q35 --compatible ref-c3000 --out "$OUT/image/cpe-firmware-$v.cpeu"
  done
}

# The sample VNFs as signed packages (out/vnfs/NAME.tar): each program with the libraries it loads and its vnf.json,
# signed by the development vendor CA's package signer (out/keys/vendor, made once and kept).
package_vnfs() {
  local keys=$OUT/keys/vendor
  if [ ! -f "$keys/vnf-signer.pem" ]; then
    rm -rf "$keys"
    "$OUT/vendor/cpe-vendor" ca create --dir "$keys" --organization "Development build" >/dev/null
    "$OUT/vendor/cpe-vendor" signer issue --ca-dir "$keys" --name "Development build VNF signer" --dir "$keys" >/dev/null
  fi
  for v in vnf-runtime/vnfs/*/; do
    local vnf; vnf=$(basename "$v")
    local stage=$OUT/vnfs/$vnf.stage
    rm -rf "$stage"; mkdir -p "$stage/rootfs/bin"
    cp "$OUT/vnfs/$vnf/$vnf" "$stage/rootfs/bin/"
    for lib in $(ldd "$OUT/vnfs/$vnf/$vnf" | grep -o '/[^ ]*\.so[^ ]*'); do
      mkdir -p "$stage/rootfs$(dirname "$lib")"; cp -L "$lib" "$stage/rootfs$lib"
    done
    cp "$v/vnf.json" "$stage/"
    "$OUT/vendor/cpe-vnf" pack --folder "$stage" --out "$OUT/vnfs/$vnf.tar" >/dev/null
    "$OUT/vendor/cpe-vnf" sign --package "$OUT/vnfs/$vnf.tar" --cert "$keys/vnf-signer.pem" --key "$keys/vnf-signer.key" >/dev/null
    rm -rf "$stage"
    printf '%s: %s bytes, signed\n' "$vnf.tar" "$(stat -c %s "$OUT/vnfs/$vnf.tar")"
  done
}

# Each failed test's message and stack from the trx files: the console logger indents them in ways a filter loses.
failure_details() {
  python3 - "$1"/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        info = r.find("t:Output/t:ErrorInfo", ns)
        text = lambda tag: (info.findtext(f"t:{tag}", "", ns) if info is not None else "").strip()
        print(f"\n== FAILED {r.get('testName')}\n{text('Message')[:6000]}\n-- stack\n{text('StackTrace')[:3000]}")
PY
}

run_tests() {
  local results=$OUT/test-results
  rm -rf "$results"; mkdir -p "$results"
  local status=0
  for proj in tests/Cpe.UnitTests tests/Cpe.IntegrationTests; do
    local name; name=$(basename "$proj")
    log "testing $name"
    CPE_BIN_DIR=$BIN dotnet test "$proj" -c Release --nologo -v q \
      --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" \
      2>&1 | grep -E '^\s+(Passed|Failed|Skipped) |^\s+(Error Message|Stack Trace):|^\s{6}|Total tests|error' || true
    [ -f "$results/$name.trx" ] || { echo "$name: the test run produced no results" >&2; status=1; }
  done
  # The VNF tests' shared cgroup parent, once no test can be creating a cgroup in it (each test removes its own).
  for c in /sys/fs/cgroup/*/cpe-test /sys/fs/cgroup/cpe-test; do [ -d "$c" ] && { rmdir "$c" 2>/dev/null || true; }; done
  local passed=0 failed=0 skipped=0
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    local counters; counters=$(grep -o '<Counters [^>]*>' "$trx")
    local total executed p f
    total=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    executed=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    local e; e=$(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + total - executed))
  done
  # The code style (.editorconfig): layout and line breaks as dotnet format would write them, counted as one test.
  log "checking the code's layout (dotnet format whitespace --verify-no-changes)"
  local layout
  if layout=$(dotnet format whitespace CpeFirmware.sln --verify-no-changes 2>&1); then
    echo "format: passed"; passed=$((passed + 1))
  else
    # The lines to re-indent, or, when the tool itself failed (no WHITESPACE line: a restore or workspace error), its
    # last words. Neither pipeline may end the run under set -euo pipefail: the summary line must still be printed.
    local shown; shown=$(grep -E 'WHITESPACE' <<<"$layout" || tail -n 5 <<<"$layout" || true)
    printf '%s\n' "$shown" | sed -E 's/: error WHITESPACE: / /; s/ \[.*//' | head -n 20 || true
    echo "format: failed (run: dotnet format whitespace CpeFirmware.sln)"; failed=$((failed + 1))
  fi
  # The setup itself, on a fresh root: what a newcomer's machine does with ./build.sh (tests/fresh-root/check.sh).
  log "testing ./build.sh on a fresh Debian root"
  local verdict
  verdict=$(tests/fresh-root/check.sh 2>&1 | tee -a "$results/fresh-root.txt" | tail -30) || true
  printf '%s\n' "$verdict"
  if grep -q '^fresh-root: passed' <<<"$verdict"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  ((failed == 0)) || { status=1; failure_details "$results"; }
  echo
  echo "$passed passed, $failed failed, $skipped skipped"
  return $status
}

demo() {
  log "demo: zero-touch provisioning of a factory-fresh box on the simulated board, a technician's session, a service chain; then the firmware image under QEMU: v1 phones home, installs v2, reboots, marks it good"
  dotnet run --project tests/Cpe.Demo -c Release -v q -- "$BIN"
}

bench() {
  log "bench: publishing JIT builds for comparison"
  for p in "${DEVICE_PROJECTS[@]}"; do
    dotnet publish "$p" -c Release -p:PublishAot=false -o "$OUT/jit" --nologo -v q >/dev/null
  done
  mkdir -p "$OUT/bench"
  dotnet run --project tests/Cpe.Bench -c Release -v q -- \
    --aot "$BIN" --jit "$OUT/jit" --out "$OUT/bench/foundation.json" --command "./build.sh bench"
  log "bench: network reconcile against an ip script"
  dotnet run --project tests/Cpe.Bench -c Release -v q -- network "$OUT/bench/network.json" "./build.sh bench"
  log "bench: zero-touch power-on to bootstrap-complete; the vendor server with 10,000 devices on SQLite and PostgreSQL"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- ztp "$OUT/bench/ztp.json" "./build.sh bench"
  log "bench: the vendor server's CPU per new TLS connection, full and resumed, against openssl s_server"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- fleet-tls "$OUT/bench/fleet-tls.json" "./build.sh bench"
  log "bench: the fleet at scale: 1,000,000 devices enrolled in bulk on PostgreSQL, two server instances behind HAProxy, 100,000 checking in on new TLS connections while a deployment rolls out, one instance killed"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- fleet-scale "$OUT/bench/fleet-scale.json" "./build.sh bench"
  log "bench: cped's local API under a hostile local user (connection and channel-offer floods for a minute)"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- api "$OUT/bench/api.json" "./build.sh bench"
  log "bench: VNF start latency (ours against runc), sample VNF memory, 64-byte forwarding, chain CPU per packet per hop"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- vnf "$OUT/bench/vnf.json" "./build.sh bench"
  log "bench: the firmware image: build time and sizes, QEMU boot against a plain kernel + busybox and without dm-verity, install against dd, zero touch"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- image "$OUT/bench/image.json" "./build.sh bench"
  log "bench: 100 power cuts in a row at random points of firmware updates on the QEMU box (about an hour)"
  CPE_BIN_DIR=$BIN dotnet run --project tests/Cpe.Bench -c Release -v q -- image-cuts "$OUT/bench/image-cuts.json" "./build.sh bench"
}

cmd=${1:-demo}
case "$cmd" in
  setup) setup ;;
  build) setup; build ;;
  test)  setup; setup_postgres; install_for chromium "the fleet UI's browser test"; build; build_images; run_tests ;;
  demo)  setup; build; build_images; demo ;;
  bench) setup; setup_postgres; install_for haproxy "the fleet-scale bench"; build; build_images; bench ;;
  fresh-root) setup; tests/fresh-root/check.sh ;;
  image) setup; build; build_images ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
