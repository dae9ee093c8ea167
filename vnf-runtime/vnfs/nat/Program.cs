using Cpe.PacketIo;
using Cpe.PacketIo.Protocols;
using Cpe.Vnfs.Nat;

// The NAT VNF: "in" is the LAN's gateway (NAT_INSIDE_IP), "out" holds the WAN address (NAT_OUTSIDE_IP) and sends
// to NAT_OUTSIDE_GATEWAY, or straight to destinations in NAT_OUTSIDE_NETWORK when no gateway is set.
return VnfProgram.Run("nat", args, ["in", "out"], ports => new Nat(ports,
    inside: Frame.ParseIp(VnfProgram.Setting("NAT_INSIDE_IP", "192.168.1.1")),
    outside: Frame.ParseIp(VnfProgram.Setting("NAT_OUTSIDE_IP", "203.0.113.10")),
    outsidePrefix: int.Parse(VnfProgram.Setting("NAT_OUTSIDE_PREFIX", "24"), System.Globalization.CultureInfo.InvariantCulture),
    gateway: VnfProgram.Setting("NAT_OUTSIDE_GATEWAY", "") is { Length: > 0 } g ? Frame.ParseIp(g) : null));
