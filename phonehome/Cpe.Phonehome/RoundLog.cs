using System.Net.Http;
using System.Net.Sockets;
using Cpe.Api;
using Cpe.Sztp;

namespace Cpe.Phonehome;

/// <summary>
/// What each source and server gave in one round over the sources, and why it was not usable: reported to cped at the
/// end of a failed round, so `show system zero-touch` says whether DNS failed, the TCP connection was refused, TLS
/// failed or the data was refused, and why, per source (docs/reference/phonehome.md, "Console lines and status").
/// </summary>
public sealed class RoundLog(TimeProvider clock)
{
    const int MaxDetail = 300;
    readonly List<ZtpAttempt> _attempts = [];

    public IReadOnlyList<ZtpAttempt> Attempts => _attempts;

    public void Add(string source, string target, string cause, string detail)
    {
        if (_attempts.Count >= ZtpAttempt.MaxPerReport) return;
        _attempts.Add(new ZtpAttempt(source, target, cause, detail.Length > MaxDetail ? detail[..MaxDetail] + "…" : detail, clock.GetUtcNow()));
    }

    /// <summary>Why a server could not be used, from what calling it threw.</summary>
    public static string CauseOf(Exception e) => e switch
    {
        SocketException => ZtpCauses.Dns,
        SztpVerificationException or RestconfException => ZtpCauses.Refused,
        BootstrapException { InnerException: TaskCanceledException } => ZtpCauses.Timeout,
        BootstrapException { InnerException: HttpRequestException h } => h.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => ZtpCauses.Dns,
            HttpRequestError.ConnectionError => ZtpCauses.Connect,
            HttpRequestError.SecureConnectionError => ZtpCauses.Tls,
            _ => ZtpCauses.Http,
        },
        _ => ZtpCauses.Http,
    };

    /// <summary>One line for the console and the "ztp" event: each cause with how many tries ended in it.</summary>
    public string Summary() => string.Join("; ", _attempts.GroupBy(a => a.Cause)
        .Select(g => $"{ZtpCauses.Describe(g.Key)} ({g.Count()})"));
}
