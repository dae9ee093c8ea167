using Cpe.PacketIo;
using Cpe.Vnfs.Firewall;

// The stateful firewall VNF: "in" faces the LAN (ingress), "out" the WAN (egress). Rules in FW_RULES (see Rule).
return VnfProgram.Run("firewall", args, ["in", "out"], _ => new Firewall(
    Rule.ParseList(VnfProgram.Setting("FW_RULES", "")),
    maxConnections: int.Parse(VnfProgram.Setting("FW_MAX_CONNECTIONS", "65536"), System.Globalization.CultureInfo.InvariantCulture)));
