using Cpe.Netlink;

// cpe-labagent COMMAND ...: exercises Cpe.Netlink against the lab kernel and prints what it read back,
// one "LAB name=value" line per fact, for the host-side test to compare with iproute2's view.
try
{
    using var rtnl = RouteNetlink.Open();
    switch (args.FirstOrDefault())
    {
        case "vlan":
            // vlan BRIDGE PORT PEER VID: a filtering bridge, a port with VID as PVID and untagged.
            rtnl.CreateBridge(args[1]);
            rtnl.CreateVeth(args[2], args[3]);
            int bridge = rtnl.RequireLink(args[1]).Index, port = rtnl.RequireLink(args[2]).Index;
            rtnl.SetMaster(port, bridge, args[2]);
            rtnl.SetVlanFiltering(bridge, true, args[1]);
            ushort vid = ushort.Parse(args[4]);
            rtnl.AddVlan(port, new PortVlan(vid, Pvid: true, Untagged: true), args[2]);
            foreach (var v in rtnl.Vlans()[port]) Console.WriteLine($"LAB vlan={v.Vid},pvid={v.Pvid},untagged={v.Untagged}");
            break;
        case "vf":
        // vf PF VF MAC VLAN QOS MAXRATE: applies the settings, then prints what the PF reports for that VF.
        {
            var pf = rtnl.RequireLink(args[1]);
            int vf = int.Parse(args[2]);
            rtnl.SetVfMac(pf.Index, vf, args[3], pf.Name);
            rtnl.SetVfVlan(pf.Index, vf, ushort.Parse(args[4]), byte.Parse(args[5]), pf.Name);
            rtnl.SetVfSpoofCheck(pf.Index, vf, false, pf.Name);
            rtnl.SetVfTrust(pf.Index, vf, true, pf.Name);
            try { rtnl.SetVfRate(pf.Index, vf, 0, uint.Parse(args[6]), pf.Name); }
            catch (NetlinkException e) { Console.WriteLine($"LAB rate-error={e.Message}"); }
            var v = rtnl.RequireLink(args[1]).Vfs.Single(x => x.Vf == vf);
            Console.WriteLine($"LAB vf={v.Vf},mac={v.Mac},vlan={v.Vlan},qos={v.Qos},spoofchk={v.SpoofCheck},trust={v.Trust},max={v.MaxTxRate}");
            Console.WriteLine($"LAB vfcount={rtnl.RequireLink(args[1]).Vfs.Count}");
        }
        break;
        case "numvfs":
        // numvfs PF N...: sets each count in turn (non-zero to non-zero goes through 0), printing what sysfs then says.
        {
            var sysfs = new Cpe.Network.Sriov.SriovSysfs();
            foreach (var n in args.Skip(2).Select(int.Parse))
            {
                sysfs.SetNumVfs(args[1], n);
                var names = Enumerable.Range(0, n).Select(vf => sysfs.VfNetdev(args[1], vf) ?? "-");
                Console.WriteLine($"LAB numvfs={sysfs.NumVfs(args[1])},netdevs={string.Join('+', names)}");
            }
            Console.WriteLine($"LAB pfs={string.Join('+', sysfs.PhysicalFunctions())},total={sysfs.TotalVfs(args[1])}");
        }
        break;
        case "links":
            foreach (var l in rtnl.Links()) Console.WriteLine($"LAB link={l.Name},kind={l.Kind ?? "-"},mac={l.Mac}");
            break;
        default:
            Console.Error.WriteLine("usage: cpe-labagent vlan BRIDGE PORT PEER VID | vf PF VF MAC VLAN QOS MAXRATE | links");
            return 2;
    }
    return 0;
}
catch (Exception e) when (e is NetlinkException or Cpe.Network.Sriov.SriovException)
{
    Console.WriteLine($"LAB error={e.Message}");
    return 1;
}
