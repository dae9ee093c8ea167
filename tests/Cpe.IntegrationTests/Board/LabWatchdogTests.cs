using Cpe.TestKit;

namespace Cpe.IntegrationTests.Board;

/// <summary>
/// The real watchdog driver in the kernel lab: cped (NativeAOT, as on the box) arms QEMU's i6300esb through
/// /dev/watchdog with the board profile's timeout and pets it while healthy; frozen (SIGSTOP: hung as hard as a
/// process can be), it stops petting and the watchdog resets the machine. .NET's cryptography loads OpenSSL at run
/// time, so libssl goes into the lab too (the firmware image carries it).
/// </summary>
[Trait("Kind", "KernelLab")]
public sealed class LabWatchdogTests
{
    [Fact]
    public async Task A_hung_cped_gets_the_lab_machine_reset_by_the_i6300esb_watchdog()
    {
        var lab = await KernelLab.RunAsync("""
            mkdir -p /tmp/state
            echo '{"model":"lab","ports":[{"name":"ge-0/0/0","netdev":"eth0","role":"wan"}],"watchdog":{"device":"/dev/watchdog","timeoutSeconds":6}}' > /tmp/board.json
            export LD_LIBRARY_PATH=/lab
            /lab/cped --state-dir /tmp/state --socket /tmp/api.sock --board /tmp/board.json > /tmp/cped.log 2>&1 &
            pid=$!   # /lab/cped itself: the harness's "cped" is a shell function, and "$!" would be its subshell
            sleep 20
            kill -0 $pid || { sed 's/^/LAB cped: /' /tmp/cped.log; exit 1; }
            grep -o 'watchdog /dev/watchdog armed: timeout [0-9]* s' /tmp/cped.log | sed 's/^/LAB /'
            echo "LAB driver=$(cat /sys/class/watchdog/watchdog0/identity) state=$(cat /sys/class/watchdog/watchdog0/state) timeout=$(cat /sys/class/watchdog/watchdog0/timeout)"
            echo "LAB healthy for 20 s"
            kill -STOP $pid
            # SIGSTOP takes effect when the kernel next runs cped: on a loaded host the state can still read R just after.
            for i in 1 2 3 4 5 6 7 8 9 10; do grep -q 'State:.*T' /proc/$pid/status && break; sleep 0.2; done
            echo "LAB cped stopped: $(grep State /proc/$pid/status)"
            sleep 60
            echo "LAB not reset"
            """, [Binaries.Cped, Path.Combine(Binaries.Directory, "libe_sqlite3.so"), "/usr/lib/x86_64-linux-gnu/libssl.so.3"], nics: 1,
            modules: [.. KernelLab.DefaultModules, "i6300esb"], devices: ["-device", "i6300esb"], allowReset: true, timeout: TimeSpan.FromSeconds(180));
        Assert.True(lab.Facts.Contains("watchdog /dev/watchdog armed: timeout 6 s"), lab.ToString());
        Assert.Contains("driver=i6300ESB timer state=active timeout=6", lab.Facts);
        Assert.Contains("healthy for 20 s", lab.Facts);   // 20 s of a 6 s timeout: petted, not reset
        Assert.Contains("cped stopped: State:\tT (stopped)", lab.Facts);
        Assert.False(lab.Facts.Contains("not reset"), lab.ToString());
        // Reset before the guest's 60 s sleep ended (it never printed "not reset"), after 20 s healthy. The host's
        // clock is not asked: on a loaded machine the initramfs and the boot alone take tens of seconds.
        Assert.True(lab.ExitStatus == KernelLab.Reset, lab.ToString());
    }
}
