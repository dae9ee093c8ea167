using Cpe.Netlink;

namespace Cpe.Network.Sriov;

/// <summary>
/// Moves a VF's netdev between cped's network namespace and a VNF's (docs/reference/sriov.md). A netdev is renamed only
/// while down and only in the namespace it is in, so that no name is ever taken in the other one by surprise.
/// </summary>
public static class VfLending
{
    /// <summary>Moves <paramref name="netdev"/> into the namespace at <paramref name="netnsPath"/>, named <paramref name="name"/> there; it arrives down.</summary>
    public static void MoveInto(RouteNetlink rtnl, string netdev, string netnsPath, string name)
    {
        var link = rtnl.RequireLink(netdev);
        if (link.AdminUp) rtnl.SetAdminState(link.Index, false, netdev);
        using (var target = File.OpenHandle(netnsPath)) rtnl.MoveToNamespace(link.Index, (int)target.DangerousGetHandle(), netdev);
        using var inside = RouteNetlink.OpenIn(netnsPath);
        inside.Rename(inside.RequireLink(netdev).Index, name, netdev);
    }

    /// <summary>Moves <paramref name="name"/> out of the namespace at <paramref name="netnsPath"/> into cped's, named <paramref name="hostName"/>; false if it is not there.</summary>
    public static bool MoveBack(string netnsPath, string name, string hostName)
    {
        using var inside = RouteNetlink.OpenIn(netnsPath);
        if (inside.Link(name) is not { } link) return false;
        if (link.AdminUp) inside.SetAdminState(link.Index, false, name);
        inside.Rename(link.Index, hostName, name);
        using var home = File.OpenHandle("/proc/thread-self/ns/net");
        inside.MoveToNamespace(link.Index, (int)home.DangerousGetHandle(), hostName);
        return true;
    }
}
