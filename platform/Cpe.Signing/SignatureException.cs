namespace Cpe.Signing;

/// <summary>A signature or signed structure that is refused: <see cref="Subject"/> names what was checked (an artifact, a package, a bundle).</summary>
public class SignatureException(string subject, string reason, Exception? inner = null) : Exception($"{subject}: {reason}", inner)
{
    public string Subject { get; } = subject;

    /// <summary>Why, without the subject (for callers that word the subject their own way).</summary>
    public string Reason { get; } = reason;
}
