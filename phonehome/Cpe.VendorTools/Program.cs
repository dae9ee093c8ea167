using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;
using Cpe.VendorTools;

// cpe-vendor: the vendor's zero-touch tools (docs/guides/vendor-server.md, "Tools").
const string Usage = """
    usage: cpe-vendor ca create --dir DIR [--organization NAME]
           cpe-vendor tls issue --ca-dir DIR --name DNS-NAME|IP... --dir OUT
           cpe-vendor device issue --ca-dir DIR --serial SERIAL [--model MODEL] [--base-mac MAC] --factory FOLDER
                                   [--bootstrap-anchor CA.pem] [--bootstrap-server https://HOST[:PORT]...]
           cpe-vendor signer issue --ca-dir DIR --name NAME --dir OUT          a VNF package signer under the vendor CA
           cpe-vendor owner create --dir DIR [--organization NAME]
           cpe-vendor voucher issue --ca-dir DIR --serial SERIAL --pinned CERT.pem [--days N] [--nonce HEX] [--assertion verified|logged|proximity] --out FILE
           cpe-vendor conveyed sign --owner-dir DIR [--configuration FILE] [--handling merge|replace] [--pre-script FILE] [--post-script FILE]
                                    [--os-name NAME --os-version VERSION --image-uri URI... (--image-file FILE | --image-sha256 HEX)] --out FILE
           cpe-vendor conveyed redirect --server HOST[:PORT]... [--trust-anchor CA.pem] [--owner-dir DIR] --out FILE
           cpe-vendor conveyed dns-records --serial SERIAL --domain DOMAIN --conveyed FILE [--owner-certificate FILE] [--voucher FILE]
                                           [--format zone|dnsmasq] [--ttl SECONDS]
           cpe-vendor firmware signer --ca-dir DIR --name NAME --dir OUT     a firmware signer under the vendor CA
           cpe-vendor firmware sign --signer-dir DIR --image ROOTFS.img --version VERSION --compatible MODEL... [--name NAME]
                                    [--minimum-version VERSION] [--created TIME] --out FILE.cpeu
           cpe-vendor firmware verify --bundle FILE.cpeu (--anchor CA.pem... | --ca-dir DIR) [--board MODEL [--floor VERSION]]
    """;
try
{
    if (args is ["--help" or "-h" or "help"]) { Console.WriteLine(Usage); return 0; }
    if (args.Length < 2) throw new ToolException("a command is required", showUsage: true);
    var a = new Arguments(args[2..]);
    var now = DateTimeOffset.UtcNow;
    if (args[0] == "firmware") return FirmwareCommands.Run(args[1], a, now);
    switch ($"{args[0]} {args[1]}")
    {
        case "ca create":
        {
            string dir = a.Required("dir"), org = a.Optional("organization") ?? "Example Vendor";
            if (File.Exists(Path.Combine(dir, "vendor-ca.pem"))) throw new ToolException($"{dir} already holds a vendor CA; refusing to replace it");
            var ca = VendorPki.CreateCa($"CN={org} CA, O={org}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 25));
            PemFiles.Save(dir, "vendor-ca", ca);
            PemFiles.Save(dir, "voucher-signer", VendorPki.Issue(ca, $"CN={org} voucher signer, O={org}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 10)));
            Console.WriteLine($"vendor CA and voucher signer in {dir}");
            break;
        }
        case "device issue":
        {
            var ca = PemFiles.Load(a.Required("ca-dir"), "vendor-ca");
            string serial = a.Required("serial"), factory = a.Required("factory");
            var device = VendorPki.IssueDevice(ca, serial, a.Optional("model") ?? "sim", now.AddMinutes(-5));
            // The board's factory storage: the device's identity and the vendor's trust anchor, nothing else.
            PemFiles.Save(factory, "idevid", device);
            PemFiles.Save(factory, "vendor-ca", X509CertificateLoader.LoadCertificate(ca.RawData));
            File.WriteAllText(Path.Combine(factory, "serial-number"), serial + "\n");
            // The first of the box's MAC addresses; ports and VFs are derived from it (docs/reference/board-profile.md).
            if (a.Optional("base-mac") is string mac)
            {
                if (!System.Net.NetworkInformation.PhysicalAddress.TryParse(mac, out var parsed) || parsed.GetAddressBytes() is not { Length: 6 } bytes || (bytes[0] & 1) != 0)
                    throw new ToolException($"--base-mac '{mac}' is not a unicast MAC address like 02:00:5e:10:00:00");
                File.WriteAllText(Path.Combine(factory, "base-mac"), Convert.ToHexString(bytes).ToLowerInvariant().Chunk(2).Select(c => new string(c)).Aggregate((x, y) => x + ":" + y) + "\n");
            }
            // Optional: the anchor that makes a bootstrap server trusted, and the factory list of servers.
            if (a.Optional("bootstrap-anchor") is string anchor) File.Copy(anchor, Path.Combine(factory, "bootstrap-anchors.pem"), overwrite: true);
            if (a.All("bootstrap-server") is { Count: > 0 } servers) File.WriteAllLines(Path.Combine(factory, "bootstrap-servers"), servers);
            Console.WriteLine($"device {serial}: IDevID and vendor trust anchor in {factory}");
            break;
        }
        case "tls issue":
        {
            var ca = PemFiles.Load(a.Required("ca-dir"), "vendor-ca");
            var names = a.All("name");
            if (names.Count == 0) throw new ToolException("--name is required");
            PemFiles.Save(a.Required("dir"), "server", VendorPki.IssueServer(ca, names, now.AddMinutes(-5), TimeSpan.FromDays(825)));
            Console.WriteLine($"TLS certificate for {string.Join(", ", names)} in {a.Required("dir")}");
            break;
        }
        case "signer issue":
        {
            // A certificate under the vendor CA for signing VNF packages (cpe-vnf sign): kept apart from the CA's key.
            var ca = PemFiles.Load(a.Required("ca-dir"), "vendor-ca");
            string name = a.Required("name"), dir = a.Required("dir");
            PemFiles.Save(dir, "vnf-signer", VendorPki.Issue(ca, $"CN={name}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 5)));
            Console.WriteLine($"VNF package signer '{name}' in {dir} (vnf-signer.pem, vnf-signer.key)");
            break;
        }
        case "owner create":
        {
            string dir = a.Required("dir"), org = a.Optional("organization") ?? "Example Owner";
            var ca = VendorPki.CreateCa($"CN={org} CA, O={org}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 10));
            var owner = VendorPki.Issue(ca, $"CN={org} provisioning, O={org}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 5));
            PemFiles.Save(dir, "owner-ca", ca);
            PemFiles.Save(dir, "owner", owner);
            File.WriteAllBytes(Path.Combine(dir, "owner-certificate.cms"), Cms.CertificatesOnly(owner));
            Console.WriteLine($"owner CA, owner certificate and its CMS artifact in {dir}");
            break;
        }
        case "voucher issue":
        {
            var signer = PemFiles.Load(a.Required("ca-dir"), "voucher-signer");
            var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(a.Required("pinned")));
            byte[]? nonce = a.Optional("nonce") is string hex ? Convert.FromHexString(hex) : null;
            if (nonce is { Length: < 16 or > 32 }) throw new ToolException("--nonce must be 16 to 32 bytes");
            string assertion = a.Optional("assertion") ?? "verified";
            if (!OwnershipVoucher.Assertions.Contains(assertion)) throw new ToolException($"--assertion must be one of {string.Join(", ", OwnershipVoucher.Assertions)}");
            // RFC 8366 §5.3: a voucher may not outlive the certificate it pins.
            var pinnedExpiry = new DateTimeOffset(pinned.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            if (pinnedExpiry <= now) throw new ToolException($"the pinned certificate {pinned.Subject} expired {pinnedExpiry:u}");
            DateTimeOffset? expires = nonce is null ? now.AddDays(a.Number("days", 30)) : null;
            bool capped = expires > pinnedExpiry;
            if (capped) expires = pinnedExpiry;
            var voucher = new OwnershipVoucher(now, expires, assertion, a.Required("serial"), pinned.RawData, nonce);
            File.WriteAllBytes(a.Required("out"), voucher.Sign(signer));
            Console.WriteLine($"voucher for {voucher.SerialNumber} pinning {pinned.Subject}"
                + (voucher.ExpiresOn is { } e ? $", expires {e:u}{(capped ? " (capped at the pinned certificate's expiry)" : "")}" : ", with nonce"));
            break;
        }
        case "conveyed sign":
        {
            var owner = PemFiles.Load(a.Required("owner-dir"), "owner");
            byte[]? Read(string name) => a.Optional(name) is string path ? File.ReadAllBytes(path) : null;
            BootImage? image = null;
            if (a.Optional("os-name") is string os)
            {
                byte[] hash = a.Optional("image-file") is string file ? SHA256.HashData(File.ReadAllBytes(file))
                    : Convert.FromHexString(a.Required("image-sha256").Replace(":", "", StringComparison.Ordinal));
                image = new BootImage(os, a.Required("os-version"), a.All("image-uri"), [new ImageHash("sha-256", hash)]);
            }
            var configuration = Read("configuration");
            var info = new ConveyedInformation.Onboarding(image, configuration is null ? null : a.Optional("handling") ?? "merge",
                Read("pre-script"), configuration, Read("post-script"));
            var json = info.ToJson();
            ConveyedInformation.Parse(json);   // what we sign, the device must be able to read
            File.WriteAllBytes(a.Required("out"), Cms.Sign(json, SztpOids.ConveyedInfoJson, owner));
            Console.WriteLine($"onboarding information signed by {owner.Subject}");
            break;
        }
        case "conveyed redirect":
        {
            byte[]? anchor = a.Optional("trust-anchor") is string ca ? Cms.CertificatesOnly(X509Certificate2.CreateFromPem(File.ReadAllText(ca))) : null;
            var servers = a.All("server").Select(s =>
            {
                int colon = s.LastIndexOf(':');
                return colon > 0 && int.TryParse(s[(colon + 1)..], out int port) ? new RedirectServer(s[..colon], port, anchor) : new RedirectServer(s, 443, anchor);
            }).ToList();
            if (servers.Count == 0) throw new ToolException("--server is required");
            var json = new ConveyedInformation.Redirect(servers).ToJson();
            bool signed = a.Optional("owner-dir") is not null;
            File.WriteAllBytes(a.Required("out"), signed ? Cms.Sign(json, SztpOids.ConveyedInfoJson, PemFiles.Load(a.Required("owner-dir"), "owner")) : Cms.Unsigned(json));
            Console.WriteLine($"redirect information to {servers.Count} server(s), {(signed ? "signed" : "unsigned")}");
            break;
        }
        case "conveyed dns-records":
        {
            // RFC 8572 §4.2's device-specific TXT records, printed for the operator's DNS server (docs/reference/phonehome.md, "DNS").
            string name = SztpDnsTxt.RecordName(a.Required("serial"), a.Required("domain"))
                ?? throw new ToolException("--serial must be one DNS label: letters, digits, '-' and '_', up to 63");
            var artifacts = new[] { ("conveyed", SztpDnsTxt.ConveyedInformation), ("owner-certificate", SztpDnsTxt.OwnerCertificate), ("voucher", SztpDnsTxt.OwnershipVoucher) };
            foreach (var (option, key) in artifacts)
            {
                if ((option == "conveyed" ? a.Required(option) : a.Optional(option)) is not string file) continue;
                byte[] rdata = SztpDnsTxt.Encode(key, File.ReadAllBytes(file));
                Console.WriteLine(a.Optional("format") switch
                {
                    null or "zone" => $"{name}. {a.Number("ttl", 300)} IN TXT \\# {rdata.Length} {Convert.ToHexString(rdata)}",   // RFC 3597's generic form
                    "dnsmasq" => $"--dns-rr={name},16,{Convert.ToHexString(rdata)}",
                    var other => throw new ToolException($"--format must be zone or dnsmasq, not '{other}'"),
                });
            }
            break;
        }
        default:
            throw new ToolException($"unknown command '{args[0]} {args[1]}'", showUsage: true);
    }
    return 0;
}
catch (Exception e) when (e is ToolException or IOException or CryptographicException or FormatException)
{
    Console.Error.WriteLine($"cpe-vendor: {e.Message}");
    if (e is ToolException { ShowUsage: true }) Console.Error.WriteLine(Usage);
    return 1;
}
