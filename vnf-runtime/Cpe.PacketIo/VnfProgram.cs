using System.Runtime.InteropServices;
using Cpe.PacketIo.Linux;

namespace Cpe.PacketIo;

/// <summary>
/// The frame of a sample VNF's Main: its first line says when it started, in µs since 1970 (the start-latency benchmark reads it), the
/// ports are opened by the interface names its descriptor declares (overridable as arguments), SIGTERM and SIGINT
/// end the loop cleanly (a VNF is PID 1 of its namespace, where a signal without a handler is ignored), and the
/// counters are printed at the end.
/// </summary>
public static class VnfProgram
{
    public static int Run(string name, string[] args, string[] defaultPorts, Func<PacketPipelineBuilder, IPacketProcessor> create)
    {
        Console.Out.WriteLine($"{name}: main {(DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10}");   // µs since 1970
        var portNames = args.Length > 0 ? args : defaultPorts;
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var ports = new List<PacketPort>();
        try
        {
            foreach (var p in portNames) ports.Add(PacketPort.Open(p));
            var builder = new PacketPipelineBuilder(ports);
            var processor = create(builder);
            var pipeline = builder.Build(processor);
            Console.Out.WriteLine($"{name}: forwarding between {string.Join(" and ", portNames)}");
            pipeline.Run(stop.Token);
            foreach (var p in ports)
                Console.Out.WriteLine($"{name}: {p.Name}: rx {p.Counters.RxPackets} tx {p.Counters.TxPackets} tx-dropped {p.Counters.TxDropped}");
            Console.Out.WriteLine($"{name}: dropped {pipeline.Dropped}; stopped");
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var p in ports) p.Dispose();
        }
    }

    /// <summary>A setting from the environment (the platform passes a VNF's parameters there), or its default.</summary>
    public static string Setting(string key, string fallback) => Environment.GetEnvironmentVariable(key) is { Length: > 0 } v ? v : fallback;
}

/// <summary>Lets a processor that sends frames of its own (ARP) reach the pipeline before it exists.</summary>
public sealed class PacketPipelineBuilder(IReadOnlyList<PacketPort> ports)
{
    PacketPipeline? _pipeline;

    public IReadOnlyList<PacketPort> Ports => ports;

    /// <summary>Sends a frame out of port <paramref name="port"/> (valid once the pipeline runs).</summary>
    public bool Emit(int port, ReadOnlySpan<byte> frame) => _pipeline?.Emit(port, frame) ?? false;

    internal PacketPipeline Build(IPacketProcessor processor) => _pipeline = new PacketPipeline(ports, processor);
}
