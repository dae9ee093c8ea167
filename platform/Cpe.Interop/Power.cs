using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>reboot(2): what a reboot or power-off finally is on the box, after the filesystems are synced.</summary>
public static class Power
{
    const int LINUX_REBOOT_CMD_RESTART = 0x01234567, LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC;

    public static void Restart() => Reboot(LINUX_REBOOT_CMD_RESTART, "restart");

    public static void PowerOff() => Reboot(LINUX_REBOOT_CMD_POWER_OFF, "power-off");

    static void Reboot(int command, string what)
    {
        LibC.sync();
        Libc.Check(Libc.reboot(command), "reboot", what);
    }
}
