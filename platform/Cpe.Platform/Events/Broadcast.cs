using System.Threading.Channels;

namespace Cpe.Platform.Events;

/// <summary>
/// Fan-out to live subscribers, each with its own bounded queue. A slow subscriber loses its
/// oldest items rather than slowing the daemon or growing without bound.
/// </summary>
public sealed class Broadcast<T>
{
    readonly Lock _gate = new();
    readonly List<Channel<T>> _subscribers = [];
    readonly int _capacity;

    public Broadcast(int capacity = 512) => _capacity = capacity;

    public ChannelReader<T> Subscribe(CancellationToken ct)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate) _subscribers.Add(channel);
        ct.Register(() =>
        {
            lock (_gate) _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(T item)
    {
        lock (_gate)
            foreach (var s in _subscribers) s.Writer.TryWrite(item);
    }
}
