using Cpe.Sztp;

namespace Cpe.Phonehome;

/// <summary>What the device does with a bootstrap server's answer.</summary>
public abstract record ConveyedDecision
{
    /// <summary>Go on to these servers (provisional unless the redirect was signed or came from a trusted server).</summary>
    public sealed record RedirectTo(IReadOnlyList<BootstrapServer> Servers) : ConveyedDecision;

    /// <summary>Process this onboarding information; <see cref="Signed"/> says whether the owner signed it.</summary>
    public sealed record Onboard(ConveyedInformation.Onboarding Information, bool Signed) : ConveyedDecision;

    /// <summary>
    /// RFC 8572 §5.3–5.5: verify the answer and decide. Signed data must verify (voucher → owner certificate →
    /// signature); unsigned onboarding information is accepted only from a trusted server; trust anchors in
    /// unsigned redirect information from a provisional server are not believed.
    /// </summary>
    /// <exception cref="SztpVerificationException">The answer is refused; the message names the artifact.</exception>
    public static ConveyedDecision Evaluate(BootstrappingReply reply, bool trustedServer, FactoryIdentity identity, DateTimeOffset now, byte[]? nonce)
    {
        var (type, content) = Cms.ReadContentInfo(reply.ConveyedInformation, "conveyed information");
        bool signed = type == SztpOids.SignedData;
        if (signed)
        {
            if (reply.OwnerCertificate is null || reply.OwnershipVoucher is null)
                throw new SztpVerificationException("conveyed information", "is signed but the owner certificate and voucher are missing");
            content = SignedDataVerifier.Verify(reply.ConveyedInformation, reply.OwnerCertificate, reply.OwnershipVoucher,
                identity.VendorAnchor, identity.SerialNumber, now, nonce);
        }
        else if (type != SztpOids.ConveyedInfoJson)
            throw new SztpVerificationException("conveyed information", $"has content type {type}, expected {SztpOids.ConveyedInfoJson}");

        switch (ConveyedInformation.Parse(content))
        {
            case ConveyedInformation.Onboarding o when !signed && !trustedServer:
                throw new SztpVerificationException("conveyed information", "unsigned onboarding information from a provisional (untrusted) bootstrap server is refused");
            case ConveyedInformation.Onboarding o:
                return new Onboard(o, signed);
            case ConveyedInformation.Redirect r:
                bool believeAnchors = signed || trustedServer;
                return new RedirectTo(r.Servers.Select(s => new BootstrapServer(new Uri($"https://{Host(s.Address)}:{s.Port}"),
                    believeAnchors && s.TrustAnchor is not null ? Cms.Certificates(s.TrustAnchor, "trust anchor").LastOrDefault() : null)).ToList());
            default:
                throw new SztpVerificationException("conveyed information", "is neither redirect nor onboarding information");
        }
    }

    static string Host(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
}
