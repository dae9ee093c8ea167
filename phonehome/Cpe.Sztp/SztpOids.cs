namespace Cpe.Sztp;

/// <summary>The CMS content types of RFC 8572 §3 and RFC 8366 (../shared/docs/sztp-facts.md).</summary>
public static class SztpOids
{
    public const string SignedData = "1.2.840.113549.1.7.2";
    public const string Data = "1.2.840.113549.1.7.1";
    public const string ConveyedInfoXml = "1.2.840.113549.1.9.16.1.42";
    public const string ConveyedInfoJson = "1.2.840.113549.1.9.16.1.43";
    public const string VoucherJson = "1.2.840.113549.1.9.16.1.40";
}

/// <summary>An artifact failed verification; <see cref="Artifact"/> names which, for the progress report.</summary>
public sealed class SztpVerificationException(string artifact, string message, Exception? inner = null)
    : Exception($"{artifact}: {message}", inner)
{
    public string Artifact { get; } = artifact;
}
