using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>The onboarding bundle the zero-touch tests, demo and bench publish: a site's LAN bridge on ge-0/0/1-2, VFs and a host name.</summary>
public static class SiteBundle
{
    public static JsonObject Configuration(string hostName = "site-17", int vfCount = 2) => new()
    {
        ["schema-version"] = 1,
        ["system"] = new JsonObject { ["host-name"] = hostName },
        ["bridges"] = new JsonObject
        {
            ["bridge"] = new JsonArray(new JsonObject
            {
                ["name"] = "lan",
                ["description"] = "customer LAN",
                ["address"] = new JsonArray("192.168.1.1/24"),
                ["interface"] = new JsonArray(new JsonObject { ["name"] = "ge-0/0/1" }, new JsonObject { ["name"] = "ge-0/0/2" }),
            }),
        },
        ["sriov"] = new JsonObject { ["pf"] = new JsonArray(new JsonObject { ["name"] = "sriov0", ["vf-count"] = vfCount }) },
    };

    public static JsonObject Bundle(string name = "site", JsonObject? configuration = null, string? preScript = null, string? postScript = null,
        string? bootImage = null) => new()
        {
            ["name"] = name,
            ["configuration"] = configuration ?? Configuration(),
            ["configurationHandling"] = "merge",
            ["preConfigurationScript"] = preScript,
            ["postConfigurationScript"] = postScript,
            ["bootImage"] = bootImage,
        };
}
