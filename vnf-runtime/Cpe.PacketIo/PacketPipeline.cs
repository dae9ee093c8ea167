using Cpe.Interop;
using Cpe.PacketIo.Linux;

namespace Cpe.PacketIo;

/// <summary>What a VNF does with one frame.</summary>
public enum Verdict { Forward, Drop }

/// <summary>
/// A frame being processed: its bytes in the receive ring (changed in place), the port it came in on, and the port it
/// goes out of when forwarded (the other port of a two-port VNF, unless the processor says otherwise).
/// </summary>
public ref struct Packet(Span<byte> frame, int inPort, int outPort)
{
    public Span<byte> Frame = frame;
    public readonly int InPort = inPort;
    public int OutPort = outPort;
}

/// <summary>The VNF-specific part of the program: one frame in, one verdict out; timers on each tick.</summary>
public interface IPacketProcessor
{
    Verdict Process(ref Packet packet);

    /// <summary>About every 100 ms, also when no traffic flows (expiry, ARP refresh).</summary>
    void OnTick(long nowMilliseconds) { }
}

/// <summary>
/// The program structure every sample VNF shares (the container-NFV thesis's): pre-processing (wait on the ports,
/// take each ready receive block), VNF-specific processing (<see cref="IPacketProcessor"/>, one frame at a time, in
/// place), post-processing (forwarded frames into the output port's transmit ring, one flush per port per round).
/// One thread, no locks, nothing allocated per packet.
/// </summary>
public sealed class PacketPipeline(IReadOnlyList<PacketPort> ports, IPacketProcessor processor)
{
    public IReadOnlyList<PacketPort> Ports => ports;
    public long Dropped { get; private set; }

    /// <summary>Sends a frame the processor made itself (an ARP request, say) out of <paramref name="port"/>.</summary>
    public bool Emit(int port, ReadOnlySpan<byte> frame) => ports[port].Send(frame);

    public void Run(CancellationToken ct)
    {
        using var ready = new PollSet([.. ports.Select(p => p.Socket)]);
        var sink = new Sink(this);
        long lastTick = Environment.TickCount64;
        while (!ct.IsCancellationRequested)
        {
            ready.Wait(100);
            for (int round = 0; round < 64; round++)
            {
                int received = 0;
                for (sink.Port = 0; sink.Port < ports.Count; sink.Port++) received += ports[sink.Port].ReceiveBlock(ref sink);
                foreach (var port in ports) port.Flush();
                if (received == 0) break;
            }
            long now = Environment.TickCount64;
            if (now - lastTick >= 100)
            {
                processor.OnTick(now);
                foreach (var port in ports) port.Flush();
                lastTick = now;
            }
        }
    }

    void Handle(int inPort, Span<byte> frame)
    {
        var packet = new Packet(frame, inPort, ports.Count == 2 ? 1 - inPort : inPort);
        if (processor.Process(ref packet) == Verdict.Forward) ports[packet.OutPort].Send(packet.Frame);
        else Dropped++;
    }

    /// <summary>Knows which port's block it is walking, so a frame's input port is not looked up per packet.</summary>
    struct Sink(PacketPipeline pipeline) : IFrameSink
    {
        public int Port;

        public void OnFrame(PacketPort from, Span<byte> frame) => pipeline.Handle(Port, frame);
    }
}
