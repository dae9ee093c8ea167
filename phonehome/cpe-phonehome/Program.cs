using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Cpe.Phonehome;
using Cpe.Phonehome.Discovery;
using Cpe.Phonehome.Fleet;
using Cpe.Phonehome.Logging;
using Cpe.Phonehome.Platform;
using Cpe.Phonehome.Processing;

// cpe-phonehome: the RFC 8572 device agent (docs/reference/phonehome.md). Exit codes: 0 stopped (or --once and
// bootstrapped), 1 bad command line or factory storage, 3 a boot image was installed and the box must reboot.
AgentOptions options;
FactoryIdentity identity;
try
{
    options = AgentOptions.Parse(args);
    identity = FactoryIdentity.Load(options.Factory);
    Directory.CreateDirectory(options.StateDirectory);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
    or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"cpe-phonehome: {e.Message}");
    if (e is ArgumentException) Console.Error.WriteLine(AgentOptions.Usage);
    return 1;
}

using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

string version = typeof(AgentOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
var clock = TimeProvider.System;
var log = new AgentConsoleLogger(Console.Out);
await using var platform = new CpedPlatform(options.Socket);
var progress = new ProgressFile(options.StateDirectory);
// Boot images and fleet firmware are downloaded by cped's installer (with this IDevID), not by the agent.
var firmware = new FirmwareUpdater(platform, progress, clock);
var processor = new OnboardingProcessor(platform, firmware, progress, options.ScriptTimeout);
var sources = new List<IBootstrapSource>();
if (options.Media is string media) sources.Add(new LocalFolderSource("removable media", media));
if (options.ConsoleDrop is string drop) sources.Add(new LocalFolderSource("serial console", drop));
sources.Add(new FactoryListSource(identity.FactoryServers));
sources.Add(new DhcpSource(platform));
sources.Add(new DnsSource(platform, identity.SerialNumber, TimeSpan.FromSeconds(2)));
var random = new Random();
var say = new ProgressReporter(platform, log);
AgentLog.Started(log, version, identity.SerialNumber);
try
{
    if (!progress.Load().BootstrapComplete)
    {
        var agent = new BootstrapAgent(identity, platform, sources, processor, firmware, progress,
            new Backoff(random) { First = options.BackoffFirst }, clock, log, new AgentSettings(options.Model, options.RequestTimeout, options.SendNonce));
        if (await agent.RunAsync(stop.Token) == BootstrapOutcome.Rebooting)
        {
            AgentLog.Rebooting(log);
            return 3;
        }
    }
    else AgentLog.FleetOnly(log, $"{progress.Load().CompletedAt:u}");
    if (options.Once) return 0;
    await new FleetAgent(identity, platform, firmware, progress, random, clock, say, options.CheckIn, options.RequestTimeout).RunAsync(stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    AgentLog.Stopped(log);
    return 0;
}
