using Cpe.PacketIo;
using Cpe.Vnfs.Router;

// The router VNF: an address per port (ROUTER_ADDRESSES "in=10.1.0.1/24,out=10.2.0.1/24") and static routes
// (ROUTER_ROUTES "0.0.0.0/0 via 10.2.0.254; 172.16.0.0/12 via 10.1.0.254"); connected networks are routes too.
return VnfProgram.Run("router", args, ["in", "out"], ports => new Router(ports,
    RouteTable.Parse(ports.Ports.Select(p => p.Name).ToList(),
        VnfProgram.Setting("ROUTER_ADDRESSES", "in=10.1.0.1/24,out=10.2.0.1/24"),
        VnfProgram.Setting("ROUTER_ROUTES", ""))));
