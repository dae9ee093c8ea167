using Cpe.Vnf.Packages;

namespace Cpe.UnitTests.Vnf;

[Trait("Kind", "Unit")]
public sealed class VnfDescriptorTests
{
    static Dictionary<string, string> Minimal() => new()
    {
        ["org.cpe.vnf.name"] = "fw",
        ["org.cpe.vnf.version"] = "1.2.3",
        ["org.cpe.vnf.interfaces"] = "in:virtio:ingress,out:sriov:egress",
    };

    [Fact]
    public void Defaults_apply_and_a_full_descriptor_survives_a_round_trip_through_labels()
    {
        var d = VnfDescriptor.FromLabels(Minimal());
        Assert.Equal((1.0, 64L << 20, 64, RestartPolicy.Always), (d.Cpus, d.MemoryBytes, d.Pids, d.Restart));
        Assert.Null(d.Health);
        Assert.Equal(new VnfInterface("out", InterfaceKind.Sriov, InterfaceRole.Egress), d.Interfaces[1]);

        var labels = Minimal();
        labels["org.cpe.vnf.cpus"] = "0.5";
        labels["org.cpe.vnf.memory"] = "128M";
        labels["org.cpe.vnf.pids"] = "100";
        labels["org.cpe.vnf.restart"] = "on-failure";
        labels["org.cpe.vnf.capabilities"] = "CAP_NET_RAW, CAP_NET_ADMIN";
        labels["org.cpe.vnf.health"] = "http:8080/healthz";
        labels["org.cpe.vnf.health.interval"] = "500ms";
        labels["org.cpe.vnf.health.timeout"] = "200ms";
        var full = VnfDescriptor.FromLabels(labels);
        Assert.Equal(["CAP_NET_ADMIN", "CAP_NET_RAW"], full.Capabilities);
        Assert.Equal(new HealthCheck(HealthCheckKind.Http, "8080/healthz", TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(200), 3, TimeSpan.FromSeconds(10)), full.Health);
        var again = VnfDescriptor.FromLabels(full.ToLabels());
        Assert.Equal((full.Name, full.Version, full.Cpus, full.MemoryBytes, full.Pids, full.Restart, full.Health), (again.Name, again.Version, again.Cpus, again.MemoryBytes, again.Pids, again.Restart, again.Health));
        Assert.Equal(full.Interfaces, again.Interfaces);
        Assert.Equal(full.Capabilities, again.Capabilities);
    }

    [Theory]
    [InlineData("org.cpe.vnf.name", null, "label org.cpe.vnf.name is missing")]
    [InlineData("org.cpe.vnf.name", "Firewall", "label org.cpe.vnf.name: 'Firewall'")]
    [InlineData("org.cpe.vnf.version", "1 0", "label org.cpe.vnf.version")]
    [InlineData("org.cpe.vnf.interfaces", "in:virtio", "label org.cpe.vnf.interfaces: 'in:virtio'")]
    [InlineData("org.cpe.vnf.interfaces", "in:e1000:ingress", "KIND virtio or sriov")]
    [InlineData("org.cpe.vnf.interfaces", "in:virtio:north", "ROLE ingress, egress or management")]
    [InlineData("org.cpe.vnf.interfaces", "a:virtio:ingress,a:virtio:egress", "each NAME once")]
    [InlineData("org.cpe.vnf.interfaces", "averyveryverylongname:virtio:ingress", "at most 15 characters")]
    [InlineData("org.cpe.vnf.cpus", "0", "label org.cpe.vnf.cpus")]
    [InlineData("org.cpe.vnf.memory", "1M", "label org.cpe.vnf.memory: '1M'")]
    [InlineData("org.cpe.vnf.memory", "lots", "label org.cpe.vnf.memory")]
    [InlineData("org.cpe.vnf.pids", "-1", "label org.cpe.vnf.pids")]
    [InlineData("org.cpe.vnf.restart", "sometimes", "label org.cpe.vnf.restart")]
    [InlineData("org.cpe.vnf.capabilities", "CAP_SYS_ADMIN", "label org.cpe.vnf.capabilities: 'CAP_SYS_ADMIN'")]
    [InlineData("org.cpe.vnf.health", "tcp:99999", "label org.cpe.vnf.health")]
    [InlineData("org.cpe.vnf.health", "ping", "exec:COMMAND, tcp:PORT or http:PORT/PATH")]
    public void A_bad_label_is_refused_with_its_name(string label, string? value, string expected)
    {
        var labels = Minimal();
        if (value is null) labels.Remove(label); else labels[label] = value;
        var e = Assert.Throws<VnfPackageException>(() => VnfDescriptor.FromLabels(labels));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_health_timeout_longer_than_its_interval_is_refused()
    {
        var labels = Minimal();
        labels["org.cpe.vnf.health"] = "tcp:80";
        labels["org.cpe.vnf.health.interval"] = "1s";
        labels["org.cpe.vnf.health.timeout"] = "2s";
        Assert.Contains("org.cpe.vnf.health.timeout", Assert.Throws<VnfPackageException>(() => VnfDescriptor.FromLabels(labels)).Message);
    }
}
